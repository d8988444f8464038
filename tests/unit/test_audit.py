"""The audit chain: entries hash-chained; edits, deletions, reordering and truncation are detected; several
processes appending at once lose nothing."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import pytest
import sqlalchemy as sa

from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.db import audit_log, engine

pytestmark = pytest.mark.unit


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.delenv("COMMONS_DB_URL", raising=False)
    audit = AuditLog(engine(f"sqlite:///{tmp_path / 'governance.sqlite'}"), anchor=tmp_path / "audit.anchor")
    for i in range(5):
        audit.append(AuditEvent(actor=f"user{i}", action="read", dataset="imd2019_lsoa11", version=1, rows=989 + i))
    return audit


def tamper(log, sql: str, **params):
    with log.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def test_an_untouched_chain_verifies(log):
    result = log.verify()
    assert result.ok and result.entries == 5


def test_entries_link_to_their_predecessor(log):
    entries = list(log.entries())
    assert entries[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))


def test_an_edited_entry_is_named(log):
    tamper(log, "UPDATE audit_log SET rows = 1 WHERE id = 3")
    result = log.verify()
    assert not result.ok and result.first_bad_id == 3 and "changed" in result.reason


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(log):
    from commons_hub.audit import entry_hash

    entry = list(log.entries())[2]
    entry["actor"] = "someone-else"
    tamper(log, "UPDATE audit_log SET actor = :a, hash = :h WHERE id = 3", a="someone-else", h=entry_hash(entry))
    result = log.verify()
    assert not result.ok and result.first_bad_id == 4


def test_a_deleted_entry_is_named(log):
    tamper(log, "DELETE FROM audit_log WHERE id = 2")
    result = log.verify()
    assert not result.ok and result.first_bad_id == 2 and "missing" in result.reason


def test_reordered_entries_are_detected(log):
    tamper(log, "UPDATE audit_log SET id = 100 WHERE id = 2")
    tamper(log, "UPDATE audit_log SET id = 2 WHERE id = 3")
    tamper(log, "UPDATE audit_log SET id = 3 WHERE id = 100")
    result = log.verify()
    assert not result.ok and result.first_bad_id == 2


def test_truncating_the_newest_entries_is_caught_by_the_anchor(log):
    tamper(log, "DELETE FROM audit_log WHERE id >= 4")
    result = log.verify()
    assert not result.ok and "truncated" in result.reason and result.first_bad_id == 4


def test_unknown_actions_are_refused(log):
    with pytest.raises(ValueError, match="Unknown audit action"):
        log.append(AuditEvent(actor="x", action="teleport"))


def _append_many(db_url: str, anchor: str, worker: int, count: int) -> None:
    from pathlib import Path

    audit = AuditLog(engine(db_url), anchor=Path(anchor))
    for i in range(count):
        audit.append(AuditEvent(actor=f"w{worker}", action="read", dataset="d", rows=i))


def test_concurrent_processes_lose_nothing_and_keep_one_chain(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'gov.sqlite'}"
    engine(db_url)  # create tables once
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(db_url, str(tmp_path / "anchor"), w, 40)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=120)
        assert p.exitcode == 0
    audit = AuditLog(engine(db_url), anchor=tmp_path / "anchor")
    result = audit.verify()
    assert result.ok and result.entries == 160
    with audit.engine.connect() as conn:
        per_worker = dict(conn.execute(sa.select(audit_log.c.actor, sa.func.count()).group_by(audit_log.c.actor)).all())
    assert per_worker == {f"w{w}": 40 for w in range(4)}


def test_commons_audit_verify_exit_codes(log, tmp_path):
    env = {"COMMONS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0 and "5 entries" in ok.stdout
    tamper(log, "UPDATE audit_log SET dataset = 'other' WHERE id = 4")
    bad = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "entry 4" in bad.stderr


def test_every_refusal_has_one_shape():
    from commons_hub.audit import refusal

    entry = refusal("analyst1", "not a member", actor_kind="user", dataset="crime", detail={"attempted": "vote"})
    assert (entry.action, entry.outcome, entry.dataset) == ("deny", "denied", "crime")
    assert entry.detail == {"reason": "not a member", "attempted": "vote"}
    failed = refusal("x", "internal error", action="release-request", outcome="error")
    assert (failed.action, failed.outcome, failed.detail) == ("release-request", "error", {"reason": "internal error"})
