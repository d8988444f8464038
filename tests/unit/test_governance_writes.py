"""Each governance write and its audit entry are one transaction: when appending the entry fails (the append raises
inside the transaction, as a full disk would), the change is absent too, the log still verifies, and the write
succeeds when tried again. (Crashes at each step, and the failing append of an approval and of a deciding vote,
are in test_governance_atomic.py.)"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import yaml

from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.db import engine, project_members, projects
from commons_hub.governance import contributions, decisions, withdrawals
from commons_hub.governance.permissions import NotPermitted
from commons_hub.governance.projects import create_project
from commons_hub.policy import Caller
from commons_hub.store import Store
from commons_hub.tables.contributions import withdrawals as withdrawals_table
from commons_hub.tables.votes import proposals, votes
from commons_kernel.catalog import load_metadata

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"
NAME = "foodbank_visits_ward22"
ANALYST = Caller("analyst1", groups=frozenset({"members"}))
OTHER = Caller("analyst2", groups=frozenset({"members"}))
STEWARD = Caller("steward", groups=frozenset({"members", "stewards"}))
CATALOGUE = {"synthetic_referrals": SimpleNamespace(tier="restricted", owner="Someone Else")}
FUTURE = date.today() + timedelta(days=365)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    eng = engine(f"sqlite:///{tmp_path / 'governance.sqlite'}")
    audit = AuditLog(eng, anchor=tmp_path / "audit.anchor")
    audit.append(AuditEvent(actor="operator", actor_kind="operator", action="token"))  # as after `commons init`
    return SimpleNamespace(eng=eng, audit=audit, store=Store(tmp_path), monkeypatch=monkeypatch)


def failing_append(env, action: str) -> None:
    """From now on, appending an ``action`` entry raises inside the transaction; ``restore`` undoes it."""
    chain = AuditLog._chain

    def failing(conn, entry):
        if entry["action"] == action:
            raise OSError("disk full")
        return chain(conn, entry)

    env.monkeypatch.setattr(AuditLog, "_chain", staticmethod(failing))
    env.restore = lambda: env.monkeypatch.setattr(AuditLog, "_chain", staticmethod(chain))


def actions(env) -> list[str]:
    return [e["action"] for e in env.audit.entries()]


def count(env, table, *where) -> int:
    with env.eng.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def propose(env) -> dict:
    return decisions.propose_project(
        ANALYST,
        title="Referrals and deprivation",
        purpose="Plan outreach where referrals rise in the region.",
        public_benefit="Earlier help for families.",
        datasets=["synthetic_referrals"],
        end_date=FUTURE,
        members=["analyst1"],
        catalogue=CATALOGUE,
        eng=env.eng,
        audit=env.audit,
    )


def propose_member(env) -> dict:
    return decisions.propose_membership(
        ANALYST, "early-help-demand", "analyst4", eng=env.eng, audit=env.audit, catalogue=CATALOGUE
    )


def approved_project(env) -> None:
    create_project(
        "early-help-demand",
        "Early help (synthetic)",
        "Plan outreach.",
        "analyst1",
        FUTURE,
        datasets=["synthetic_referrals"],
        members={"analyst1": "Council"},
        status="approved",
        eng=env.eng,
    )


def submit(env) -> dict:
    return contributions.submit(
        ANALYST,
        (FIXTURES / "good.csv").read_bytes(),
        "good.csv",
        yaml.safe_load((FIXTURES / "metadata.yaml").read_text()),
        store=env.store,
        eng=env.eng,
        audit=env.audit,
        catalogue=load_metadata(),
    )


def pending_files(env) -> list[str]:
    folder = env.store.root / NAME / "pending"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_project_proposal_whose_entry_fails_leaves_no_project_and_no_proposal(env):
    failing_append(env, "propose")
    with pytest.raises(OSError, match="disk full"):
        propose(env)
    env.restore()
    assert count(env, projects) == 0 and count(env, project_members) == 0 and count(env, proposals) == 0
    assert actions(env) == ["token"] and env.audit.verify().ok
    assert propose(env)["status"] == "open" and actions(env) == ["token", "propose"]


def test_a_membership_proposal_whose_entry_fails_leaves_no_proposal(env):
    approved_project(env)
    failing_append(env, "propose")
    with pytest.raises(OSError, match="disk full"):
        propose_member(env)
    env.restore()
    assert count(env, proposals) == 0 and actions(env) == ["token"] and env.audit.verify().ok
    assert propose_member(env)["member"] == "analyst4"


def test_a_vote_whose_entry_fails_is_not_counted(env):
    proposal = propose(env)
    failing_append(env, "vote")
    with pytest.raises(OSError, match="disk full"):
        decisions.vote(OTHER, proposal["id"], "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE)
    env.restore()
    assert count(env, votes) == 0 and actions(env) == ["token", "propose"] and env.audit.verify().ok
    again = decisions.vote(OTHER, proposal["id"], "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE)
    assert again["counts"]["approve"] == 1


def test_a_lapse_whose_entry_fails_leaves_the_proposal_open(env):
    proposal = propose(env)
    later = FUTURE + timedelta(days=1)
    failing_append(env, "decide")
    with pytest.raises(OSError, match="disk full"):
        decisions.vote(OTHER, proposal["id"], "approve", eng=env.eng, audit=env.audit, catalogue=CATALOGUE, today=later)
    env.restore()
    assert count(env, proposals, proposals.c.status == "open") == 1 and count(env, votes) == 0
    assert actions(env) == ["token", "propose"] and env.audit.verify().ok


def test_an_upload_whose_entry_fails_stores_no_row_and_no_pending_file(env):
    failing_append(env, "contribute")
    with pytest.raises(OSError, match="disk full"):
        submit(env)
    env.restore()
    assert contributions.list_contributions(env.eng) == [] and pending_files(env) == []
    assert actions(env) == ["token"] and env.audit.verify().ok
    assert submit(env)["status"] == "pending"


def test_a_rejection_whose_entry_fails_leaves_the_contribution_pending_with_its_data(env):
    record = submit(env)
    failing_append(env, "reject-contribution")
    with pytest.raises(OSError, match="disk full"):
        contributions.reject(STEWARD, record["id"], "wrong year", store=env.store, eng=env.eng, audit=env.audit)
    env.restore()
    assert contributions.contribution(record["id"], env.eng)["status"] == "pending"
    assert pending_files(env) == [f"{record['id']}.parquet", f"{record['id']}.report.json"]
    assert actions(env) == ["token", "contribute"] and env.audit.verify().ok


def test_a_withdrawal_whose_entry_fails_leaves_the_dataset_readable(env):
    record = submit(env)
    contributions.approve(STEWARD, record["id"], "", store=env.store, eng=env.eng, audit=env.audit)
    failing_append(env, "withdraw")
    with pytest.raises(OSError, match="disk full"):
        withdrawals.withdraw(ANALYST, NAME, "consent was withdrawn", store=env.store, eng=env.eng, audit=env.audit)
    env.restore()
    assert count(env, withdrawals_table) == 0 and not env.store.manifest(NAME).get("withdrawn")
    assert actions(env) == ["token", "contribute", "approve-contribution"] and env.audit.verify().ok
    assert (
        withdrawals.withdraw(ANALYST, NAME, "consent", store=env.store, eng=env.eng, audit=env.audit)["stories"] == []
    )


def test_who_is_checked_before_what_the_state_allows(env):
    """A member who is not a steward is refused as such (and audited) even on a contribution already decided."""
    record = submit(env)
    contributions.reject(STEWARD, record["id"], "wrong year", store=env.store, eng=env.eng, audit=env.audit)
    for review in (contributions.approve, contributions.reject):
        with pytest.raises(NotPermitted, match="is not a steward"):
            review(OTHER, record["id"], "mine", store=env.store, eng=env.eng, audit=env.audit)
    assert actions(env)[-2:] == ["deny", "deny"]
