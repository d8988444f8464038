"""The register publishes the audit chain's head (HTML and JSON) and counts only what the chain check accepts: a
log that does not verify publishes no head and counts no use."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from tornado.testing import AsyncHTTPTestCase

from commons_hub.audit import AuditEvent, AuditLog, entry_hash
from commons_hub.audit_verify import Head, parse_head
from commons_hub.db import audit_log, engine
from commons_hub.services.register import chain
from commons_hub.services.register.app import make_app
from commons_hub.services.register.data import RegisterData
from commons_hub.services.register.readonly import readonly_engine
from commons_hub.store import Store

pytestmark = pytest.mark.unit

PREFIX = "/services/register/"
XSS = "<script>alert('anchor')</script>"


def build_log(home: Path) -> AuditLog:
    audit = AuditLog(engine(f"sqlite:///{home / 'governance.sqlite'}"), anchor=home / "audit.anchor")
    for rows in (989, 100, 5):
        audit.append(
            AuditEvent(
                actor="analyst1",
                action="read",
                dataset="imd2019_lsoa11",
                project="early-help-demand",
                purpose="ward rates for the board",
                rows=rows,
            )
        )
    audit.append(AuditEvent(actor="analyst2", action="deny", outcome="denied", dataset="synthetic_referrals"))
    return audit


def register_over(home: Path) -> RegisterData:
    return RegisterData(readonly_engine(f"sqlite:///{home / 'governance.sqlite'}"), Store(home))


def last(audit: AuditLog) -> dict:
    return audit.tail(1)[0]


def insert_ghost_read(audit: AuditLog, entry_id: int) -> None:
    ghost = {**last(audit), "id": entry_id, "action": "read", "outcome": "ok", "rows": 50926, "actor": "ghost"}
    ghost["hash"] = entry_hash(ghost)
    with audit.engine.begin() as conn:
        conn.execute(audit_log.insert(), ghost)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.delenv("COMMONS_DB_URL", raising=False)
    return tmp_path


@pytest.fixture
def audit(home):
    return build_log(home)


@pytest.fixture
def register(home, audit):
    return register_over(home)


def test_the_head_is_the_last_entry_and_can_be_checked(register, audit):
    head = register.audit_head()
    entry = last(audit)
    assert (head["ok"], head["entries"], head["id"], head["hash"], head["time"]) == (
        True,
        4,
        4,
        entry["hash"],
        entry["time"],
    )
    assert head["check"] == f"commons audit verify --head 4:{entry['hash']}"
    assert audit.verify([parse_head(head["check"].split()[-1])]).ok
    assert register.audit_status()["head"] == {"id": 4, "hash": entry["hash"], "time": entry["time"]}


def test_the_head_follows_new_entries(register, audit):
    register.audit_head()
    audit.append(AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", rows=1))
    head = register.audit_head()
    assert (head["id"], head["hash"]) == (5, last(audit)["hash"])
    assert register.uses()["as_of_entry"] == 5


def test_a_log_that_does_not_verify_publishes_no_head_and_counts_nothing(register, audit, monkeypatch):
    assert sum(u["reads"] for u in register.uses()["uses"]) == 3
    with audit.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET rows = 1 WHERE id = 2")
    monkeypatch.setattr(chain, "FULL_EVERY", 0.0)
    head = register.audit_head()
    assert (head["ok"], head["id"], head["hash"], head["check"], head["first_bad_id"]) == (False, None, None, None, 2)
    assert "entry 2 was changed" in head["reason"]
    assert register.uses() == {"as_of_entry": 0, "uses": []}
    assert register.uses(as_of=3) == {"as_of_entry": 0, "uses": []}


@pytest.mark.parametrize("entry_id", [0, -1])
def test_entries_below_id_1_are_never_counted(register, audit, monkeypatch, entry_id):
    before = register.uses()
    insert_ghost_read(audit, entry_id)
    # Between full checks the new row is not seen by the chain check; the count must not move either.
    assert register.uses() == before
    monkeypatch.setattr(chain, "FULL_EVERY", 0.0)
    status = register.audit_status()
    assert not status["ok"] and status["first_bad_id"] == entry_id and "below 1" in status["reason"]
    assert register.uses()["uses"] == []


def test_uses_never_count_past_the_verified_head(register, audit):
    assert register.uses(as_of=10_000)["as_of_entry"] == 4
    assert register.uses(as_of=-5)["as_of_entry"] == 0


class HeadPages(AsyncHTTPTestCase):
    """The head on the audit page, in every page's footer, and as JSON (run by pytest through unittest)."""

    def get_app(self):
        self.home = Path(tempfile.mkdtemp(prefix="register-head-"))
        self.audit = build_log(self.home)
        return make_app(register_over(self.home), PREFIX)

    def get(self, path: str):
        response = self.fetch(PREFIX + path)
        assert response.code == 200, path
        return response

    def test_head_json_at_both_addresses(self):
        entry = last(self.audit)
        first = self.get("api/audit/head")
        assert first.headers["Content-Type"].startswith("application/json")
        head = json.loads(first.body)
        assert (head["id"], head["hash"], head["time"]) == (4, entry["hash"], entry["time"])
        again = json.loads(self.get("audit/head.json").body)
        assert {k: v for k, v in again.items() if k != "checked_at"} == {
            k: v for k, v in head.items() if k != "checked_at"
        }
        assert json.loads(self.get("api/audit").body)["head"]["hash"] == entry["hash"]

    def test_head_on_the_audit_page_and_in_every_footer(self):
        entry = last(self.audit)
        page = self.get("audit").body.decode()
        assert f"commons audit verify --head 4:{entry['hash']}" in page and 'id="head"' in page
        for path in ("", "datasets", "uses", "projects"):
            body = self.get(path).body.decode()
            assert f"Audit log head: entry 4 of {entry['time'][:10]}" in body, path
            assert f"<code>{entry['hash']}</code>" in body, path
        missing = self.fetch(PREFIX + "datasets/no_such")
        assert missing.code == 404 and entry["hash"] in missing.body.decode()

    def test_a_broken_chain_shows_everywhere_escaped_and_without_a_head(self):
        self.audit.anchor.write_text(f"{XSS}\n")
        chain.FULL_EVERY, saved = 0.0, chain.FULL_EVERY
        try:
            head = json.loads(self.get("api/audit/head").body)
            assert head["ok"] is False and head["hash"] is None and "malformed" in head["reason"]
            for path in ("", "audit", "uses"):
                body = self.get(path).body.decode()
                assert "does NOT verify" in body and "<script>alert" not in body, path
                assert "&lt;script&gt;" in body and "Audit log head:" not in body, path
            assert "No head is published while the chain does not verify" in self.get("audit").body.decode()
        finally:
            chain.FULL_EVERY = saved

    def test_an_empty_log_says_so(self):
        with self.audit.engine.begin() as conn:
            conn.execute(audit_log.delete())
        self.audit.anchor.unlink()
        chain.FULL_EVERY, saved = 0.0, chain.FULL_EVERY
        try:
            head = json.loads(self.get("api/audit/head").body)
            assert (head["ok"], head["entries"], head["id"]) == (True, 0, None)
            assert "no entries yet" in self.get("").body.decode()
        finally:
            chain.FULL_EVERY = saved


def test_heads_parse_strictly():
    good = "7:" + "AB" * 32
    assert parse_head(good) == Head(7, "ab" * 32)
    for bad in ("7", "7:abc", "0:" + "ab" * 32, "-1:" + "ab" * 32, "x:" + "ab" * 32, "7:" + "zz" * 32, ""):
        with pytest.raises(ValueError, match="ID:HASH"):
            parse_head(bad)


def test_register_engine_cannot_take_the_write_lock_so_it_reads_snapshots(register):
    with pytest.raises(sa.exc.OperationalError, match="readonly"), register.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")
    assert register.audit_status()["ok"]
