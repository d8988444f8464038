"""Every governance write commits with its audit entry in one transaction, and publishing is crash-safe.

Each crash is real: a child process (tests/unit/governance_crash_child.py) runs the write and dies with os._exit
at one step, with no clean-up. Then: the state is one of the two legal ones (nothing happened, or all of it with
its audit entries), ``AuditLog().verify()`` passes, what readers see agrees with the database, the start-up sweep
leaves nothing behind (and a second sweep finds nothing), and a retry is idempotent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.db import engine, project_members, projects
from commons_hub.governance import contributions, decisions, withdrawals
from commons_hub.governance.projects import create_project
from commons_hub.policy import Caller
from commons_hub.recovery import sweep_leftovers
from commons_hub.releases.service import ReleaseService
from commons_hub.services.data_api.state import ServiceState
from commons_hub.store import Store
from commons_hub.tables.releases import release_reviews, releases
from commons_hub.tables.votes import proposals, votes
from commons_kernel.catalog import load_metadata
from commons_kernel.exceptions import GovernanceError
from commons_kernel.releases import to_outputs
from tests.unit.governance_crash_child import CRASHED, forked

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "bad_uploads"
NAME = "foodbank_visits_ward22"
ANALYST = Caller("analyst1", groups=frozenset({"members"}))
OTHER = Caller("analyst2", groups=frozenset({"members"}))
THIRD = Caller("analyst3", groups=frozenset({"members"}))
STEWARD = Caller("steward", groups=frozenset({"members", "stewards"}))
CHECKER = Caller("checker", groups=frozenset({"members", "checkers"}))
CHECKER2 = Caller("checker2", groups=frozenset({"members", "checkers"}))


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'governance.sqlite'}"
    eng = engine(url)
    audit = AuditLog(eng, anchor=tmp_path / "audit.anchor")
    # As after `commons init`: the log has begun. (A crash between the very first commit and the first anchor
    # write would leave entries with no anchor, which verify rightly cannot tell from a deleted anchor.)
    audit.append(AuditEvent(actor="operator", actor_kind="operator", action="token"))
    return SimpleNamespace(home=tmp_path, url=url, eng=eng, store=Store(tmp_path), audit=audit)


def crash(env, step: str, operation: str, caller: Caller, *args) -> None:
    """Run ``operation`` in a forked child that dies at ``step`` with os._exit ("none": runs to the end)."""
    code = forked(env.home, step, operation, [caller.name, json.dumps(sorted(caller.groups)), *args])
    assert code == (0 if step == "none" else CRASHED), f"the child exited {code} (see its traceback above)"


def crash_in_new_process(env, step: str, operation: str, caller: Caller, *args) -> None:
    """The same in a fresh interpreter (slower: it imports everything again)."""
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.unit.governance_crash_child",
            str(env.home),
            step,
            operation,
            caller.name,
            json.dumps(sorted(caller.groups)),
            *map(str, args),
        ],
        cwd=ROOT,
        env={**os.environ, "COMMONS_HOME": str(env.home)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert child.returncode == (0 if step == "none" else CRASHED), f"{child.stdout}\n{child.stderr}"


def entries(env, action: str | None = None) -> list[dict]:
    return [e for e in env.audit.entries() if action is None or e["action"] == action]


def assert_sound(env) -> None:
    """The log verifies; a second sweep finds nothing to do; no hidden or unlisted file is left in the store."""
    result = env.audit.verify()
    assert result.ok, result.reason
    assert sweep_leftovers(env.home, env.eng) == []
    root = env.store.root
    leftovers = [p.name for p in root.rglob(".staged.*")] if root.exists() else []
    for folder in (p for p in root.iterdir() if p.is_dir()) if root.exists() else []:
        listed = (
            {v["file"] for v in env.store.manifest(folder.name)["versions"]}
            if folder.name in env.store.names()
            else set()
        )
        leftovers += [p.name for p in folder.glob("v[0-9]*.*") if p.with_suffix(".parquet").name not in listed]
    assert leftovers == []


# -- contributions -------------------------------------------------------------------------------------------


def submit(env, data: bytes | None = None) -> dict:
    meta = yaml.safe_load((FIXTURES / "metadata.yaml").read_text())
    return contributions.submit(
        ANALYST,
        data or (FIXTURES / "good.csv").read_bytes(),
        "good.csv",
        meta,
        store=env.store,
        eng=env.eng,
        audit=env.audit,
        catalogue=load_metadata(),
    )


def listed_versions(env) -> list[dict]:
    return env.store.manifest(NAME)["versions"] if NAME in env.store.names() else []


def assert_readable_only_if_approved_and_audited(env) -> None:
    """At any moment, even straight after a crash: every readable version is an approved, audited contribution."""
    for listed in listed_versions(env):
        row = contributions.contribution(listed["contribution"], env.eng)
        assert (row["status"], row["version"]) == ("approved", listed["version"])
        assert [
            (e["detail"], e["version"])
            for e in entries(env, "approve-contribution")
            if json.loads(e["detail"])["contribution"] == row["id"]
        ] != []


def assert_contribution(env, contribution_id: int, status: str) -> None:
    row = contributions.contribution(contribution_id, env.eng)
    assert row["status"] == status
    approvals = [
        e for e in entries(env, "approve-contribution") if json.loads(e["detail"])["contribution"] == row["id"]
    ]
    pending_file = env.store.root / NAME / "pending" / f"{contribution_id}.parquet"
    if status == "pending":
        assert approvals == [] and listed_versions(env) == [] and pending_file.exists()
        assert not (env.store.root / NAME / "metadata.yaml").exists()
        return
    assert [(e["version"], e["outcome"]) for e in approvals] == [(row["version"], "ok")]
    assert [(v["version"], v["contribution"]) for v in listed_versions(env)] == [(row["version"], contribution_id)]
    assert not pending_file.exists()
    state = ServiceState(home=env.home, db_url=env.url)  # what the data-api reads
    assert state.version_entry(NAME)["version"] == row["version"] and state.metadata(NAME).name == NAME
    assert env.store.read(NAME)["visits"].tolist() == [25, 31, 18]


APPROVE_CRASHES = {
    "staged": "pending",  # hidden files written, nothing committed
    "chain:approve-contribution": "pending",  # row updated and entry being written, transaction not committed
    "anchor": "approved",  # committed; anchor, files, manifest not yet
    "metadata": "approved",  # committed; catalogue metadata not yet written
    "parquet-renamed": "approved",  # v0001.parquet in place, .arrow and manifest not
    "files-renamed": "approved",  # both files in place, manifest not replaced
    "manifest": "approved",  # readable; pending data not yet removed
    "none": "approved",
}


@pytest.mark.parametrize("step, status", APPROVE_CRASHES.items())
def test_a_crash_while_approving_leaves_pending_or_published_approved_and_audited(env, step, status):
    record = submit(env)
    crash(env, step, "approve", STEWARD, record["id"])
    assert_readable_only_if_approved_and_audited(env)
    swept = sweep_leftovers(env.home, env.eng)
    if step == "none":
        assert swept == []
    assert_contribution(env, record["id"], status)
    assert_sound(env)

    again = contributions.approve(STEWARD, record["id"], "retry", store=env.store, eng=env.eng, audit=env.audit)
    assert again["status"] == "approved" and again["version"] == 1  # never a v2
    assert_contribution(env, record["id"], "approved")
    assert len(entries(env, "approve-contribution")) == 1
    assert_sound(env)


def test_a_retried_approval_finishes_a_crashed_publication_without_the_sweep(env):
    record = submit(env)
    crash_in_new_process(env, "files-renamed", "approve", STEWARD, record["id"])
    assert listed_versions(env) == []  # approved and audited, not readable yet
    again = contributions.approve(STEWARD, record["id"], "retry", store=env.store, eng=env.eng, audit=env.audit)
    assert again["version"] == 1
    assert_contribution(env, record["id"], "approved")
    assert_sound(env)


def test_a_publication_that_fails_after_the_commit_says_to_approve_again(env, monkeypatch):
    record = submit(env)
    publish = Store.publish

    def disk_full(self, staged, version):
        raise OSError("disk full")

    monkeypatch.setattr(Store, "publish", disk_full)
    with pytest.raises(GovernanceError, match=r"approved as version 1 .*\(disk full\)\. Approve it again"):
        contributions.approve(STEWARD, record["id"], "", store=env.store, eng=env.eng, audit=env.audit)
    monkeypatch.setattr(Store, "publish", publish)
    assert listed_versions(env) == [] and contributions.contribution(record["id"], env.eng)["status"] == "approved"
    assert (
        contributions.approve(STEWARD, record["id"], "", store=env.store, eng=env.eng, audit=env.audit)["version"] == 1
    )
    assert_contribution(env, record["id"], "approved")
    assert_sound(env)


def test_a_new_version_waits_for_an_earlier_approval_a_crash_left_unpublished(env):
    first = submit(env)
    crash(env, "metadata", "approve", STEWARD, first["id"])
    second = submit(env, (FIXTURES / "good.csv").read_bytes() + b"E05000913,2022-02,40\n")
    assert (
        contributions.approve(STEWARD, second["id"], "", store=env.store, eng=env.eng, audit=env.audit)["version"] == 2
    )
    assert [(v["version"], v["contribution"]) for v in listed_versions(env)] == [(1, first["id"]), (2, second["id"])]
    assert len(env.store.read(NAME)) == 4 and len(env.store.read(NAME, version=1)) == 3
    assert [line.split("/")[-1].split(".")[1] for line in sweep_leftovers(env.home, env.eng)] == ["staged"] * 2
    assert_sound(env)  # the sweep removed only the dead process's staged copy


@pytest.mark.parametrize(
    "step, status", [("chain:reject-contribution", "pending"), ("anchor", "rejected"), ("manifest", "rejected")]
)  # "manifest": before the pending data go
def test_a_crash_while_rejecting(env, step, status):
    record = submit(env)
    crash(env, step, "reject", STEWARD, record["id"])
    sweep_leftovers(env.home, env.eng)
    assert contributions.contribution(record["id"], env.eng)["status"] == status
    assert len(entries(env, "reject-contribution")) == (status == "rejected")
    pending = env.store.root / NAME / "pending" / f"{record['id']}.parquet"
    assert pending.exists() == (status == "pending")
    if status == "rejected":
        assert contributions.quality_report(env.store, contributions.contribution(record["id"], env.eng))["ok"]
    assert_sound(env)


@pytest.mark.parametrize("step, stored", [("chain:contribute", False), ("anchor", True)])
def test_a_crash_while_uploading(env, step, stored):
    # A fresh interpreter: the upload checks run in a multiprocessing forkserver, which a fork cannot share.
    crash_in_new_process(env, step, "submit", ANALYST, FIXTURES / "good.csv", FIXTURES / "metadata.yaml")
    assert (env.store.root / NAME / "pending" / "1.parquet").exists()  # written inside the transaction
    sweep_leftovers(env.home, env.eng)
    assert [r["status"] for r in contributions.list_contributions(env.eng)] == (["pending"] if stored else [])
    assert len(entries(env, "contribute")) == stored
    assert (env.store.root / NAME / "pending" / "1.parquet").exists() == stored
    assert_sound(env)


def test_the_data_api_sweeps_when_it_starts(env):
    record = submit(env)
    crash(env, "files-renamed", "approve", STEWARD, record["id"])
    state = ServiceState(home=env.home, db_url=env.url)
    assert state.swept == [f"published contribution {record['id']} (approved before a crash)"]
    assert state.version_entry(NAME)["contribution"] == record["id"] and state.metadata(NAME).tier == "open"
    assert_contribution(env, record["id"], "approved")
    assert ServiceState(home=env.home, db_url=env.url).swept == []
    assert_sound(env)


def test_an_upload_that_crashed_before_its_commit_is_swept(env):
    orphan = env.store.root / "orphan_upload" / "pending"
    orphan.mkdir(parents=True)
    (orphan / "7.parquet").write_bytes(b"never committed")
    (orphan / "7.report.json").write_text("{}")
    record = submit(env)
    assert any("never committed" in line for line in sweep_leftovers(env.home, env.eng))
    assert not (env.store.root / "orphan_upload").exists()
    assert (env.store.root / NAME / "pending" / f"{record['id']}.parquet").exists()  # a real pending one stays
    assert_sound(env)


def test_a_failing_audit_append_rolls_back_the_approval(env, monkeypatch):
    record = submit(env)
    chain = AuditLog._chain

    def failing(conn, entry):
        if entry["action"] == "approve-contribution":
            raise OSError("disk full")
        return chain(conn, entry)

    monkeypatch.setattr(AuditLog, "_chain", staticmethod(failing))
    with pytest.raises(OSError, match="disk full"):
        contributions.approve(STEWARD, record["id"], "", store=env.store, eng=env.eng, audit=env.audit)
    monkeypatch.setattr(AuditLog, "_chain", staticmethod(chain))
    assert_contribution(env, record["id"], "pending")
    assert [e["action"] for e in entries(env)] == ["token", "contribute"]
    assert_sound(env)


# -- withdrawal ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("step, withdrawn", [("chain:withdraw", False), ("anchor", True), ("mark-withdrawn", True)])
def test_a_crash_while_withdrawing(env, step, withdrawn):
    contributions.approve(STEWARD, submit(env)["id"], "", store=env.store, eng=env.eng, audit=env.audit)
    crash(env, step, "withdraw", ANALYST, NAME)
    if withdrawn and step == "mark-withdrawn":  # a retry finishes it, with no second entry
        record = withdrawals.withdraw(ANALYST, NAME, "again", store=env.store, eng=env.eng, audit=env.audit)
        assert record["reason"] == "consent was withdrawn"
    sweep_leftovers(env.home, env.eng)
    assert ServiceState(home=env.home, db_url=env.url).is_withdrawn(NAME) == withdrawn
    assert [w["dataset"] for w in withdrawals.list_withdrawals(env.eng)] == ([NAME] if withdrawn else [])
    assert len(entries(env, "withdraw")) == withdrawn
    if withdrawn:
        with pytest.raises(GovernanceError, match="already withdrawn"):
            withdrawals.withdraw(ANALYST, NAME, "again", store=env.store, eng=env.eng, audit=env.audit)
        assert len(entries(env, "withdraw")) == 1
    assert_sound(env)


# -- votes, decisions, membership ------------------------------------------------------------------------------

CATALOGUE = {"synthetic_referrals": SimpleNamespace(tier="restricted", owner="Someone Else")}


def proposal_with_two_votes(env) -> int:
    """A project proposal by analyst1 with two approvals: the steward's vote decides it (3 votes, 1 steward)."""
    proposal = decisions.propose_project(
        ANALYST,
        title="Referrals and deprivation",
        purpose="Plan outreach where referrals rise in the region.",
        public_benefit="Earlier help for families.",
        datasets=["synthetic_referrals"],
        end_date=date.today() + timedelta(days=365),
        members=["analyst1"],
        catalogue=CATALOGUE,
        eng=env.eng,
        audit=env.audit,
    )
    for caller in (OTHER, THIRD):
        decisions.vote(caller, proposal["id"], "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE)
    return proposal["id"]


def vote_state(env, proposal_id: int) -> tuple:
    with env.eng.connect() as conn:
        status = conn.execute(sa.select(proposals.c.status).where(proposals.c.id == proposal_id)).scalar()
        voters = sorted(conn.execute(sa.select(votes.c.voter).where(votes.c.proposal_id == proposal_id)).scalars())
    return status, voters


@pytest.mark.parametrize(
    "step, decided", [("chain:vote", False), ("apply", False), ("chain:decide", False), ("anchor", True)]
)
def test_a_crash_while_voting_keeps_vote_decision_and_entries_together(env, step, decided):
    proposal_id = proposal_with_two_votes(env)
    crash(env, step, "vote", STEWARD, proposal_id, "approve")
    sweep_leftovers(env.home, env.eng)
    status, voters = vote_state(env, proposal_id)
    assert (status, "steward" in voters) == (("approved", True) if decided else ("open", False))
    assert decisions.project_status("referrals-and-deprivation", env.eng) == ("approved" if decided else "proposed")
    assert [e["actor"] for e in entries(env, "vote")] == ["analyst2", "analyst3"] + (["steward"] if decided else [])
    assert len(entries(env, "decide")) == decided
    assert_sound(env)
    if decided:  # a retry changes nothing
        with pytest.raises(GovernanceError, match="already decided"):
            decisions.vote(STEWARD, proposal_id, "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE)
    else:  # the retry is the vote
        assert (
            decisions.vote(STEWARD, proposal_id, "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE)["status"]
            == "approved"
        )
    assert vote_state(env, proposal_id) == ("approved", ["analyst2", "analyst3", "steward"])
    assert len(entries(env, "decide")) == 1 and len(entries(env, "vote")) == 3
    assert_sound(env)


def approved_project(env) -> None:
    today = date.today()
    create_project(
        "early-help-demand",
        "Early help (synthetic)",
        "Plan outreach.",
        "analyst1",
        date(today.year + 1, 12, 31),
        datasets=["synthetic_referrals"],
        members={"analyst1": "Council"},
        status="approved",
        start_date=date(today.year - 1, 1, 1),
        eng=env.eng,
    )


def members(env) -> list[str]:
    with env.eng.connect() as conn:
        return sorted(
            conn.execute(
                sa.select(project_members.c.username)
                .join(projects, projects.c.id == project_members.c.project_id)
                .where(projects.c.slug == "early-help-demand")
            ).scalars()
        )


@pytest.mark.parametrize("step, proposed", [("chain:propose", False), ("anchor", True)])
def test_a_crash_while_proposing_a_member(env, step, proposed):
    approved_project(env)
    crash(env, step, "propose-membership", ANALYST, "early-help-demand", "analyst4")
    sweep_leftovers(env.home, env.eng)
    with env.eng.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(proposals)).scalar() == proposed
    assert len(entries(env, "propose")) == proposed
    assert_sound(env)


@pytest.mark.parametrize("step, added", [("apply", False), ("chain:decide", False), ("anchor", True)])
def test_a_crash_while_deciding_a_membership(env, step, added):
    approved_project(env)
    proposal = decisions.propose_membership(
        ANALYST, "early-help-demand", "analyst4", eng=env.eng, audit=env.audit, catalogue=CATALOGUE
    )
    for caller in (OTHER, THIRD):
        decisions.vote(caller, proposal["id"], "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE)
    crash(env, step, "vote", STEWARD, proposal["id"], "approve")
    sweep_leftovers(env.home, env.eng)
    assert members(env) == (["analyst1", "analyst4"] if added else ["analyst1"])
    decided = [json.loads(e["detail"]) for e in entries(env, "decide")]
    assert [(d["decision"], d["member"]) for d in decided] == ([("approved", "analyst4")] if added else [])
    assert_sound(env)


def test_a_failing_audit_append_rolls_back_the_vote_and_its_decision(env, monkeypatch):
    proposal_id = proposal_with_two_votes(env)
    chain = AuditLog._chain

    def failing(conn, entry):
        if entry["action"] == "decide":
            raise OSError("disk full")
        return chain(conn, entry)

    monkeypatch.setattr(AuditLog, "_chain", staticmethod(failing))
    with pytest.raises(OSError):
        decisions.vote(STEWARD, proposal_id, "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE)
    monkeypatch.setattr(AuditLog, "_chain", staticmethod(chain))
    assert vote_state(env, proposal_id) == ("open", ["analyst2", "analyst3"])
    assert decisions.project_status("referrals-and-deprivation", env.eng) == "proposed"
    assert len(entries(env, "vote")) == 2
    assert_sound(env)


# -- releases ------------------------------------------------------------------------------------------------


def release_env(env) -> ReleaseService:
    today = date.today()
    create_project(
        "early-help-demand",
        "Early help (synthetic)",
        "Plan outreach.",
        "analyst1",
        date(today.year + 1, 12, 31),
        datasets=["synthetic_referrals"],
        start_date=date(today.year - 1, 1, 1),
        members={"analyst1": "Council"},
        status="approved",
        eng=env.eng,
    )
    return ReleaseService(env.eng, env.audit, env.home, {"synthetic_referrals": {"name": "synthetic_referrals"}}.get)


def release_payload(env) -> Path:
    table = pd.DataFrame(
        {"referrals": [38, 105, 102]}, index=pd.Index(["Halton", "Knowsley", "Wirral"], name="borough")
    )
    outputs, _ = to_outputs({"referrals_by_borough": table})
    path = env.home / "payload.json"
    path.write_text(
        json.dumps(
            {
                "project": "early-help-demand",
                "title": "Referrals by borough (synthetic)",
                "description": "Referrals by borough, from synthetic data, for the outreach plan.",
                "outputs": [o.to_payload() for o in outputs],
            }
        )
    )
    return path


def release_rows(env) -> list[tuple]:
    with env.eng.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(releases.c.id, releases.c.status).order_by(releases.c.id))]


@pytest.mark.parametrize(
    "step, stored", [("release-published", False), ("chain:release-request", False), ("anchor", True)]
)
def test_a_crash_while_requesting_a_release(env, step, stored):
    service = release_env(env)
    crash(env, step, "release-request", ANALYST, release_payload(env))
    sweep_leftovers(env.home, env.eng)
    assert release_rows(env) == ([(1, "pending")] if stored else [])
    assert len(entries(env, "release-request")) == stored
    folders = sorted(p.name for p in (env.home / "releases").iterdir())
    assert folders == (["1"] if stored else [])
    assert_sound(env)
    retried = service.request(ANALYST, json.loads(release_payload(env).read_text()))  # never blocked by a leftover
    assert retried["id"] == (2 if stored else 1) and retried["status"] == "pending"
    assert_sound(env)


@pytest.mark.parametrize(
    "step, released", [("chain:release-review", False), ("chain:release", False), ("anchor", True)]
)
def test_a_crash_at_the_second_approval_of_a_release(env, step, released):
    service = release_env(env)
    release_id = service.request(ANALYST, json.loads(release_payload(env).read_text()))["id"]
    service.review(CHECKER, release_id, "approve", "fine")
    crash(env, step, "release-review", CHECKER2, release_id, "approve")
    sweep_leftovers(env.home, env.eng)
    assert release_rows(env) == [(release_id, "released" if released else "pending")]
    with env.eng.connect() as conn:
        reviews = conn.execute(sa.select(sa.func.count()).select_from(release_reviews)).scalar()
    assert reviews == (2 if released else 1)
    assert len(entries(env, "release-review")) == reviews and len(entries(env, "release")) == released
    assert_sound(env)


# -- the audited transaction itself ----------------------------------------------------------------------------


def test_an_entry_joins_only_an_audited_transaction(env):
    with env.eng.begin() as conn, pytest.raises(ValueError, match="audit.transaction"):
        env.audit.append(AuditEvent(actor="steward", action="vote"), conn=conn)
    with env.audit.transaction() as conn:
        with pytest.raises(RuntimeError, match="already open in this thread"):
            env.audit.append(AuditEvent(actor="steward", action="vote"))
        env.audit.append(AuditEvent(actor="steward", action="vote"), conn=conn)
        env.audit.append(AuditEvent(actor="steward", action="decide"), conn=conn)
    assert [e["id"] for e in entries(env)] == [1, 2, 3] and env.audit.verify().ok
    assert env.audit.anchor.read_text().split()[0] == "3"


def test_the_anchor_moves_only_after_the_commit(env):
    with pytest.raises(OSError), env.audit.transaction() as conn:
        env.audit.append(AuditEvent(actor="steward", action="vote"), conn=conn)
        assert env.audit.anchor.read_text().split()[0] == "1"  # not yet: the entry is not committed
        raise OSError("the governance write failed")
    assert [e["id"] for e in entries(env)] == [1] and env.audit.anchor.read_text().split()[0] == "1"
    assert env.audit.verify().ok
