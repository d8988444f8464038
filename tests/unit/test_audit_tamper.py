"""Tampering with the audit log, one scenario each: a real log in a temporary COMMONS_HOME, its SQLite rows and
its anchor changed directly, as someone with write access to the state directory would; `verify` must fail and
name the first bad entry and why. Heads copied before the tampering (as anyone can from the register) catch a
history that was rewritten consistently, anchor included."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from commons_hub.audit import GENESIS, AuditEvent, AuditLog, entry_hash
from commons_hub.audit_verify import Head, read_anchor
from commons_hub.db import audit_log, engine

pytestmark = pytest.mark.unit

ENTRIES = 6


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.delenv("COMMONS_DB_URL", raising=False)
    audit = AuditLog(engine(f"sqlite:///{tmp_path / 'governance.sqlite'}"), anchor=tmp_path / "audit.anchor")
    events = [
        AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", version=1, rows=989),
        AuditEvent(
            actor="analyst2",
            action="deny",
            outcome="denied",
            dataset="synthetic_referrals",
            detail={"reason": "not a member of an approved project"},
        ),
        AuditEvent(
            actor="analyst1",
            action="read",
            dataset="synthetic_referrals",
            project="early-help-demand",
            purpose="ward rates for the board",
            rows=100,
        ),
        AuditEvent(actor="steward", action="vote", project="early-help-demand", detail={"choice": "approve"}),
        AuditEvent(actor="analyst2", action="read", dataset="imd2019_lsoa11", rows=5),
        AuditEvent(actor="stories", actor_kind="service", action="story-run", detail={"story": "my-ward"}),
    ]
    for event in events:
        audit.append(event)
    return audit


# helpers: what someone with write access to the files would do --------------------------------------------------
def rows(log) -> list[dict]:
    with log.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings()]


def sql(log, statement: str, **params) -> None:
    with log.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def replace_all(log, entries: list[dict]) -> None:
    with log.engine.begin() as conn:
        conn.execute(audit_log.delete())
        if entries:
            conn.execute(audit_log.insert(), entries)


def rehash(entries: list[dict], start: int = 0) -> list[dict]:
    """Recompute prev_hash and hash from position ``start`` on, as a careful forger would."""
    for i in range(start, len(entries)):
        entries[i]["prev_hash"] = entries[i - 1]["hash"] if i else GENESIS
        entries[i]["hash"] = entry_hash(entries[i])
    return entries


def renumber(entries: list[dict]) -> list[dict]:
    for i, entry in enumerate(entries, start=1):
        entry["id"] = i
    return entries


def write_anchor(log, entry_id: int, entry_hash_: str) -> None:
    log.anchor.write_text(f"{entry_id:>20} {entry_hash_}\n")


def drop_primary_key(log) -> None:
    """Rebuild the table without its primary key, so duplicate or odd ids can be stored."""
    with log.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE audit_copy AS SELECT * FROM audit_log")
        conn.exec_driver_sql("DROP TABLE audit_log")
        conn.exec_driver_sql("ALTER TABLE audit_copy RENAME TO audit_log")


def forged(entry: dict, **changes) -> dict:
    return {**entry, **changes}


BOGUS = "ab" * 32


# the scenarios ---------------------------------------------------------------------------------------------------
def edit_one_field(log, head):
    sql(log, "UPDATE audit_log SET rows = 1 WHERE id = 3")


def edit_and_rehash_that_entry(log, head):
    entries = rows(log)
    entries[2]["actor"] = "someone-else"
    entries[2]["hash"] = entry_hash(entries[2])
    replace_all(log, entries)


def edit_and_rehash_all_later(log, head):
    entries = rows(log)
    entries[2]["purpose"] = "a purpose nobody stated"
    replace_all(log, rehash(entries, 2))


def edit_rehash_all_and_append_one(log, head):
    # The anchor still names entry 6 (it is now behind the end): entry 6 no longer has the hash it records.
    entries = rows(log)
    entries[2]["rows"] = 1
    entries = rehash(entries, 2)
    entries.append(forged(entries[-1], id=7, actor="analyst1", action="read", detail="{}"))
    replace_all(log, rehash(entries, 6))


def delete_middle(log, head):
    sql(log, "DELETE FROM audit_log WHERE id = 3")


def delete_and_renumber(log, head):
    replace_all(log, renumber([e for e in rows(log) if e["id"] != 3]))


def delete_renumber_and_rehash(log, head):
    replace_all(log, rehash(renumber([e for e in rows(log) if e["id"] != 3])))


def delete_renumber_and_pad(log, head):
    entries = renumber([e for e in rows(log) if e["id"] != 3])
    entries.append(forged(entries[-1], id=ENTRIES, actor="padding", detail="{}"))
    replace_all(log, rehash(entries))


def reorder_and_rehash(log, head):
    entries = rows(log)
    entries[1], entries[2] = entries[2], entries[1]
    replace_all(log, rehash(renumber(entries), 1))


def swap_ids(log, head):
    sql(log, "UPDATE audit_log SET id = 100 WHERE id = 2")
    sql(log, "UPDATE audit_log SET id = 2 WHERE id = 3")
    sql(log, "UPDATE audit_log SET id = 3 WHERE id = 100")


def truncate_tail(log, head):
    sql(log, "DELETE FROM audit_log WHERE id >= 5")


def truncate_tail_and_rewrite_anchor(log, head):
    sql(log, "DELETE FROM audit_log WHERE id >= 5")
    write_anchor(log, 4, rows(log)[3]["hash"])


def wipe_everything(log, head):
    sql(log, "DELETE FROM audit_log")
    log.anchor.unlink()


def delete_every_entry(log, head):
    sql(log, "DELETE FROM audit_log")


def delete_anchor(log, head):
    log.anchor.unlink()


def anchor_bogus_hash_at_last_id(log, head):
    write_anchor(log, ENTRIES, BOGUS)


def anchor_bogus_hash_at_earlier_id(log, head):
    write_anchor(log, 3, BOGUS)


def anchor_beyond_end(log, head):
    write_anchor(log, 9, BOGUS)


def anchor_garbage(log, head):
    log.anchor.write_text("not an anchor\n")


def anchor_id_only(log, head):
    log.anchor.write_text(f"{ENTRIES:>20}\n")


def anchor_two_lines(log, head):
    log.anchor.write_text(log.anchor.read_text() * 2)


def anchor_id_zero(log, head):
    write_anchor(log, 0, rows(log)[0]["hash"])


def anchor_not_text(log, head):
    log.anchor.write_bytes(b"\xff\xfe\x00 6")


def anchor_empty(log, head):
    log.anchor.write_bytes(b"")


def id_zero_inserted(log, head):
    first = rows(log)[0]
    entry = forged(first, id=0, actor="ghost")
    entry["hash"] = entry_hash(entry)
    replace_all(log, [entry] + rows(log))


def negative_id(log, head):
    entry = forged(rows(log)[0], id=-1, actor="ghost", rows=50926)
    entry["hash"] = entry_hash(entry)
    replace_all(log, [entry] + rows(log))


def duplicate_id(log, head):
    drop_primary_key(log)
    copy = rows(log)[2]
    with log.engine.begin() as conn:
        conn.execute(audit_log.insert(), copy)


def entry_slipped_between_two(log, head):
    drop_primary_key(log)
    entry = forged(rows(log)[1], id=2.5, actor="ghost")
    entry["hash"] = entry_hash(entry)
    with log.engine.begin() as conn:
        conn.execute(audit_log.insert(), entry)


def first_prev_hash_not_genesis(log, head):
    entries = rows(log)[1:]  # the oldest entry removed, the rest renumbered and re-hashed onto a made-up start
    entries = renumber(entries)
    entries[0]["prev_hash"] = BOGUS
    entries[0]["hash"] = entry_hash(entries[0])
    replace_all(log, rehash(entries, 1))


def rehashed_history_against_published_head(log, head):
    entries = rehash(rows(log), 0)
    entries[1]["outcome"] = "ok"
    replace_all(log, rehash(entries, 1))
    write_anchor(log, entries[-1]["id"], entries[-1]["hash"])


def rehashed_history_then_a_real_append(log, head):
    entries = rows(log)
    entries[0]["rows"] = 9
    replace_all(log, rehash(entries))
    write_anchor(log, entries[-1]["id"], entries[-1]["hash"])
    log.append(AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", rows=1))


def time_edited(log, head):
    sql(log, "UPDATE audit_log SET time = '2020-01-01T00:00:00.000000+00:00' WHERE id = 4")


def detail_json_edited(log, head):
    sql(log, """UPDATE audit_log SET detail = '{"reason":"member of the project"}' WHERE id = 2""")


def outcome_edited(log, head):
    sql(log, "UPDATE audit_log SET outcome = 'ok' WHERE id = 2")


def hash_replaced(log, head):
    sql(log, "UPDATE audit_log SET hash = :h WHERE id = 5", h=BOGUS)


def prev_hash_replaced(log, head):
    sql(log, "UPDATE audit_log SET prev_hash = :h WHERE id = 5", h=BOGUS)


# scenario, whether it is checked against the head published before it, first_bad_id, words of the reason
SCENARIOS = [
    (edit_one_field, False, 3, "entry 3 was changed after it was written"),
    (edit_and_rehash_that_entry, False, 4, "does not follow entry 3"),
    (edit_and_rehash_all_later, False, 6, "does not match the anchor"),
    (edit_rehash_all_and_append_one, False, 6, "does not match the anchor"),
    (delete_middle, False, 3, "entry 3 is missing"),
    (delete_and_renumber, False, 3, "does not follow entry 2"),
    (delete_renumber_and_rehash, False, 6, "truncated"),
    (delete_renumber_and_pad, False, 6, "does not match the anchor"),
    (reorder_and_rehash, False, 6, "does not match the anchor"),
    (swap_ids, False, 2, "entry 2 does not follow entry 1"),
    (truncate_tail, False, 5, "entries 5 to 6 were deleted from the end"),
    (truncate_tail_and_rewrite_anchor, True, 6, "no longer exists"),
    (wipe_everything, True, 6, "the log ends at entry 0"),
    (delete_every_entry, False, 1, "truncated"),
    (delete_anchor, False, None, "anchor file"),
    (anchor_bogus_hash_at_last_id, False, 6, "entry 6 does not match the anchor"),
    (anchor_bogus_hash_at_earlier_id, False, 3, "entry 3 does not match the anchor"),
    (anchor_beyond_end, False, 7, "entries 7 to 9 were deleted from the end"),
    (anchor_garbage, False, None, "malformed"),
    (anchor_id_only, False, None, "malformed"),
    (anchor_two_lines, False, None, "malformed"),
    (anchor_id_zero, False, None, "ids start at 1"),
    (anchor_not_text, False, None, "malformed"),
    (anchor_empty, False, None, "malformed"),
    (id_zero_inserted, False, 0, "entry 0 has an id below 1"),
    (negative_id, False, -1, "entry -1 has an id below 1"),
    (duplicate_id, False, 3, "entry 3 appears more than once"),
    (entry_slipped_between_two, False, 3, "2.5, which is not a whole number"),
    (first_prev_hash_not_genesis, False, 1, "genesis"),
    (rehashed_history_against_published_head, True, 6, "does not match the head published earlier"),
    (rehashed_history_then_a_real_append, True, 6, "rewritten (changed and re-hashed) after that head"),
    (time_edited, False, 4, "entry 4 was changed"),
    (detail_json_edited, False, 2, "entry 2 was changed"),
    (outcome_edited, False, 2, "entry 2 was changed"),
    (hash_replaced, False, 5, "entry 5 was changed"),
    (prev_hash_replaced, False, 5, "entry 5 does not follow entry 4"),
]


@pytest.mark.parametrize(
    ("tamper", "against_head", "first_bad_id", "reason"), SCENARIOS, ids=[s[0].__name__ for s in SCENARIOS]
)
def test_tampering_is_caught_and_named(log, tamper, against_head, first_bad_id, reason):
    assert log.verify().ok
    head = Head(ENTRIES, rows(log)[-1]["hash"])  # what a member copied from the register before the tampering
    tamper(log, head)
    result = log.verify([head] if against_head else [])
    assert not result.ok
    assert (result.first_bad_id, result.head) == (first_bad_id, None)
    assert reason in result.reason, result.reason
    if not against_head:  # a head copied earlier changes nothing about a log already caught without it
        assert not log.verify([head]).ok


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize(
    "tamper",
    [
        truncate_tail_and_rewrite_anchor,
        rehashed_history_against_published_head,
        rehashed_history_then_a_real_append,
        wipe_everything,
    ],
)
def test_a_consistent_rewrite_passes_without_heads_which_is_why_they_are_published(log, tamper):
    head = Head(ENTRIES, rows(log)[-1]["hash"])
    tamper(log, head)
    assert log.verify().ok
    assert not log.verify([head]).ok


# what must pass ------------------------------------------------------------------------------------------------
def test_an_untouched_log_verifies_with_its_head(log):
    entries = rows(log)
    result = log.verify([Head(e["id"], e["hash"]) for e in entries])
    assert result.ok and result.entries == ENTRIES and result.first_bad_id is None
    assert result.head == {"id": ENTRIES, "hash": entries[-1]["hash"], "time": entries[-1]["time"]}


def test_an_empty_log_without_an_anchor_verifies(tmp_path):
    empty = AuditLog(engine(f"sqlite:///{tmp_path / 'empty.sqlite'}"), anchor=tmp_path / "audit.anchor")
    result = empty.verify()
    assert result.ok and result.entries == 0 and result.head is None


def test_an_anchor_behind_the_end_is_accepted(log):
    # A crash between an append's commit and its anchor write leaves the anchor one entry behind.
    entries = rows(log)
    write_anchor(log, 5, entries[4]["hash"])
    assert log.verify().ok


def test_entries_after_a_head_may_follow_it(log):
    head = Head(3, rows(log)[2]["hash"])
    log.append(AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", rows=2))
    assert log.verify([head]).ok


def test_a_head_with_a_wrong_hash_fails_even_on_an_untouched_log(log):
    result = log.verify([Head(2, BOGUS)])
    assert not result.ok and result.first_bad_id == 2 and "does not match the head" in result.reason


def test_the_anchor_format_is_the_one_append_writes(log):
    anchor = read_anchor(log.anchor)
    assert anchor == Head(ENTRIES, rows(log)[-1]["hash"])
    assert len(log.anchor.read_bytes()) == 86


def test_verify_reads_a_snapshot_without_holding_up_appends(log):
    import time

    from commons_hub.audit_verify import _every_row

    with _every_row(log.engine) as entries:
        first = next(entries)
        started = time.monotonic()
        log.append(AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", rows=3))
        assert time.monotonic() - started < 5  # an append waiting on verify's lock would wait 30 s, then fail
        assert first["id"] == 1 and [e["id"] for e in entries] == list(range(2, ENTRIES + 1))  # the snapshot
    assert log.verify().entries == ENTRIES + 1
