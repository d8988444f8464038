"""Contributions in a temporary state directory: pending → approved (a new version in the catalogue) or rejected,
names that cannot be used, blocked uploads that store nothing, and withdrawal."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_hub.governance import contributions, withdrawals
from commons_hub.governance.permissions import NotPermitted
from commons_hub.policy import Caller, decide_read
from commons_hub.services.data_api.state import ServiceState
from commons_hub.store import Store
from commons_kernel.catalog import load_metadata, parse_metadata
from commons_kernel.exceptions import GovernanceError, ValidationFailed

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"
GOOD = (FIXTURES / "good.csv").read_bytes()
ANALYST = Caller("analyst1", groups=frozenset({"members"}))
OTHER = Caller("analyst2", groups=frozenset({"members"}))
STEWARD = Caller("steward", groups=frozenset({"members", "stewards"}))


def metadata(**changes) -> dict:
    meta = yaml.safe_load((FIXTURES / "metadata.yaml").read_text())
    meta.update(changes)
    return meta


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'governance.sqlite'}"
    eng = engine(url)
    store = Store(tmp_path)
    return SimpleNamespace(
        eng=eng,
        store=store,
        audit=AuditLog(eng, anchor=tmp_path / "audit.anchor"),
        url=url,
        home=tmp_path,
        catalogue=load_metadata(),
    )


def submit(env, caller=ANALYST, data=GOOD, filename="good.csv", **meta_changes) -> dict:
    return contributions.submit(
        caller,
        data,
        filename,
        metadata(**meta_changes),
        store=env.store,
        eng=env.eng,
        audit=env.audit,
        catalogue=env.catalogue,
    )


def review(env, action, record, caller=STEWARD, reason="") -> dict:
    decide = contributions.approve if action == "approve" else contributions.reject
    return decide(caller, record["id"], reason, store=env.store, eng=env.eng, audit=env.audit)


def stored_files(env) -> list[str]:
    root = env.store.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_passing_upload_is_pending_and_not_readable(env):
    record = submit(env)
    assert record["status"] == "pending" and record["rows"] == 3 and record["score"] >= 90
    assert record["report"]["ok"] and record["organisation"] == "Demo Borough Council data team"
    assert stored_files(env) == [
        "foodbank_visits_ward22/pending/1.parquet",
        "foodbank_visits_ward22/pending/1.report.json",
    ]
    assert env.store.names() == []
    entry = list(env.audit.entries())[-1]
    assert (entry["action"], entry["dataset"], entry["rows"]) == ("contribute", "foodbank_visits_ward22", 3)


def test_approval_commits_a_version_and_joins_the_catalogue(env):
    record = review(env, "approve", submit(env), reason="looks right")
    assert record["status"] == "approved" and record["version"] == 1 and record["decided_by"] == "steward"
    assert env.store.read("foodbank_visits_ward22")["visits"].tolist() == [25, 31, 18]
    meta = parse_metadata(
        env.store.root / "foodbank_visits_ward22" / "metadata.yaml", expected_name="foodbank_visits_ward22"
    )
    assert meta.tier == "open" and meta.licence == "OGL-UK-3.0" and "contribution 1" in meta.source["from"]
    assert any(note.startswith("Methodology:") for note in meta.quality_notes)
    state = ServiceState(home=env.home, db_url=env.url)
    assert state.metadata("foodbank_visits_ward22").title == meta.title
    assert not (env.store.root / "foodbank_visits_ward22" / "pending").exists()
    assert contributions.quality_report(env.store, record)["ok"]
    assert [e["action"] for e in env.audit.entries()] == ["contribute", "approve-contribution"]


def test_a_later_upload_under_the_same_name_is_a_new_version(env):
    review(env, "approve", submit(env))
    second = submit(env, data=GOOD + b"E05000913,2022-02,40\n", filename="visits-feb.csv")
    assert env.store.manifest("foodbank_visits_ward22")["versions"][-1]["version"] == 1  # still pending
    assert review(env, "approve", second)["version"] == 2
    assert len(env.store.read("foodbank_visits_ward22")) == 4
    assert len(env.store.read("foodbank_visits_ward22", version=1)) == 3


def test_rejection_needs_a_reason_and_deletes_the_data(env):
    record = submit(env)
    with pytest.raises(GovernanceError, match="Say why"):
        review(env, "reject", record, reason=" ")
    rejected = review(env, "reject", record, reason="the ward codes are for the wrong year")
    assert rejected["status"] == "rejected" and rejected["reason"].startswith("the ward codes")
    assert stored_files(env) == ["foodbank_visits_ward22/reports/contribution-1.json"]
    with pytest.raises(GovernanceError, match="already rejected"):
        review(env, "approve", record)


def test_only_another_steward_reviews(env):
    record = submit(env)
    with pytest.raises(NotPermitted, match="not a steward"):
        review(env, "approve", record, caller=OTHER)
    own = contributions.submit(
        STEWARD,
        GOOD,
        "good.csv",
        metadata(name="steward_visits"),
        store=env.store,
        eng=env.eng,
        audit=env.audit,
        catalogue=env.catalogue,
    )
    with pytest.raises(NotPermitted, match="cannot review it"):
        review(env, "approve", own)
    assert [e["outcome"] for e in env.audit.entries() if e["action"] == "deny"] == ["denied", "denied"]


@pytest.mark.parametrize(
    "name, code",
    [
        ("../etc/passwd", "bad-name"),
        ("Visits Data", "bad-name"),
        ("imd2019_lsoa11", "name-taken"),  # a seed dataset of the catalogue
    ],
)
def test_names_that_cannot_be_used_store_nothing(env, name, code):
    with pytest.raises(ValidationFailed) as raised:
        submit(env, name=name)
    assert [issue.code for issue in raised.value.report.errors] == [code]
    assert "Fix:" in str(raised.value) and "Nothing was stored" in str(raised.value)
    assert stored_files(env) == [] and contributions.list_contributions(env.eng) == []


def test_another_members_dataset_name_is_taken(env):
    review(env, "approve", submit(env))
    with pytest.raises(ValidationFailed, match="contributed by another member"):
        submit(env, caller=OTHER)


def test_one_pending_upload_per_name(env):
    submit(env)
    with pytest.raises(ValidationFailed, match="waiting for a steward"):
        submit(env)


def test_tier_of_an_existing_dataset_cannot_change_by_upload(env):
    review(env, "approve", submit(env))
    env.catalogue = {**env.catalogue, **ServiceState(home=env.home, db_url=env.url).extra_metadata()}
    with pytest.raises(ValidationFailed, match="cannot move it to community"):
        submit(env, tier="community")


@pytest.mark.parametrize(
    "file, changes",
    [
        ("email_address.csv", {}),
        ("small_count.csv", {"tier": "community"}),
        ("windows1252.csv", {}),
        ("empty.csv", {}),
    ],
)
def test_blocked_uploads_store_nothing_and_are_audited(env, file, changes):
    with pytest.raises(ValidationFailed) as raised:
        submit(env, data=(FIXTURES / file).read_bytes(), filename=file, **changes)
    assert raised.value.report.errors
    assert stored_files(env) == [] and contributions.list_contributions(env.eng) == []
    denial = list(env.audit.entries())[-1]
    assert denial["action"] == "deny" and json.loads(denial["detail"])["attempted"] == "contribute"


def test_non_members_cannot_contribute(env):
    with pytest.raises(NotPermitted):
        submit(env, caller=Caller("visitor"))


def test_restricted_contribution_names_its_owner(env):
    record = review(env, "approve", submit(env, name="referrals_extract", tier="restricted"))
    meta = parse_metadata(env.store.root / "referrals_extract" / "metadata.yaml", expected_name="referrals_extract")
    assert record["version"] == 1 and meta.tier == "restricted" and meta.owner == "Demo Borough Council data team"


def test_withdrawal_refuses_reads_and_is_listed(env, tmp_path):
    review(env, "approve", submit(env))
    stories = tmp_path / "stories"
    (stories / "food").mkdir(parents=True)
    (stories / "food" / "story.yaml").write_text("title: Food\ndatasets: [foodbank_visits_ward22, imd2019_lsoa11]\n")
    (stories / "other").mkdir()
    (stories / "other" / "story.yaml").write_text("title: Other\ndatasets: [{name: imd2019_lsoa11}]\n")
    with pytest.raises(NotPermitted, match="did not contribute"):
        withdrawals.withdraw(OTHER, "foodbank_visits_ward22", "no", store=env.store, eng=env.eng, audit=env.audit)
    with pytest.raises(GovernanceError, match="Say why"):
        withdrawals.withdraw(ANALYST, "foodbank_visits_ward22", "", store=env.store, eng=env.eng, audit=env.audit)
    record = withdrawals.withdraw(
        ANALYST,
        "foodbank_visits_ward22",
        "consent was withdrawn",
        store=env.store,
        eng=env.eng,
        audit=env.audit,
        stories_folder=stories,
    )
    assert record["stories"] == ["food"]
    state = ServiceState(home=env.home, db_url=env.url)
    assert state.is_withdrawn("foodbank_visits_ward22")
    decision = decide_read(
        OTHER, "foodbank_visits_ward22", "open", withdrawn=state.is_withdrawn("foodbank_visits_ward22")
    )
    assert not decision.allowed and "withdrawn" in decision.reason
    assert withdrawals.datasets_withdrawn(env.store) == {
        "foodbank_visits_ward22": {
            "reason": "consent was withdrawn",
            "withdrawn_at": env.store.manifest("foodbank_visits_ward22")["withdrawn_at"],
        }
    }
    assert withdrawals.list_withdrawals(env.eng)[0]["organisation"] == "Demo Borough Council data team"
    with pytest.raises(GovernanceError, match="already withdrawn"):
        withdrawals.withdraw(STEWARD, "foodbank_visits_ward22", "again", store=env.store, eng=env.eng, audit=env.audit)
    with pytest.raises(ValidationFailed, match="was withdrawn"):
        submit(env)
    entry = [e for e in env.audit.entries() if e["action"] == "withdraw"][0]
    assert json.loads(entry["detail"]) == {"reason": "consent was withdrawn", "stories": ["food"]}
    assert env.audit.verify().ok


def test_a_steward_may_withdraw_a_seed_dataset_but_a_member_may_not(env, tmp_path):
    import pyarrow as pa

    table = pa.table({"lsoa11_code": ["E01006512"], "imd_score": [40.1]})
    env.store.commit(env.store.stage("imd2019_lsoa11", table, {"ingested_at": "2026-01-01", "sources": []}))
    with pytest.raises(NotPermitted):
        withdrawals.withdraw(ANALYST, "imd2019_lsoa11", "x", store=env.store, eng=env.eng, audit=env.audit)
    withdrawals.withdraw(
        STEWARD,
        "imd2019_lsoa11",
        "superseded by IMD 2025",
        store=env.store,
        eng=env.eng,
        audit=env.audit,
        stories_folder=tmp_path / "none",
    )
    assert env.store.manifest("imd2019_lsoa11")["withdrawn_by"] == "steward"
