"""Proving the audit log: the whole chain, the anchor wherever it points, and heads published earlier.

``verify_log`` accepts a log only if all of these hold, and otherwise names the first problem:

- ids run 1, 2, 3... with no gap, duplicate, or id below 1;
- entry 1's ``prev_hash`` is the genesis value, each later one is the previous entry's ``hash``, and each
  ``hash`` is sha256 of the entry's own fields (``commons_hub.audit.entry_hash``);
- the anchor file names an entry that exists with exactly the hash it records (an anchor beyond the last entry
  means the newest entries were deleted); a missing anchor is accepted only while the log is empty;
- each head given (``ID:HASH``, copied earlier from the register) names an entry that still exists with that
  hash. Anyone who rewrites history must re-hash every later entry, and can then rewrite the anchor too; only
  copies of the head kept elsewhere catch that, which is why the register publishes it.

The anchor holds one line, ``ID HASH`` (the id right-aligned in 20 characters, then the 64-hex hash). It is
read before the entries, under the append lock: appends write it once their entry is committed, so a read in
that order never sees an anchor ahead of the entries that exist.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from commons_hub.audit import GENESIS, VerifyResult, entry_hash
from commons_hub.db import audit_log

ANCHOR_LINE = re.compile(r" *([0-9]+) ([0-9a-f]{64})\n?")
HEAD = re.compile(r"([0-9]+):([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class Head:
    """An entry id and the hash it had when someone copied it (from the register or `commons audit head`)."""

    id: int
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"


def parse_head(text: str) -> Head:
    """``ID:HASH`` as published on the register (``api/audit/head``) or printed by ``commons audit head``."""
    match = HEAD.fullmatch(text.strip())
    if not match or int(match.group(1)) < 1:
        raise ValueError(
            f"{text!r} is not a head: write ID:HASH, the entry id (1 or more), a colon and its 64-character "
            f"sha256 hash, as shown on the register's audit page, e.g. 42:{'3f' * 32}"
        )
    return Head(int(match.group(1)), match.group(2).lower())


class AnchorProblem(Exception):
    """The anchor file exists but cannot be used; the message says why."""


def read_anchor(path: Path) -> Head | None:
    """The anchor's id and hash; None if there is no anchor file. Raises AnchorProblem if it is unreadable or
    malformed."""
    try:
        with _shared_append_lock(path.with_name("audit.lock")):
            raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorProblem(
            f"the anchor {path} cannot be read ({exc.strerror}): run `commons audit verify` as the "
            f"account that owns the state directory (or root)"
        ) from exc
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        text = None
    match = ANCHOR_LINE.fullmatch(text) if text is not None else None
    if not match:
        shown = raw[:120].decode("ascii", "backslashreplace")
        raise AnchorProblem(
            f"the anchor {path} is malformed: it holds {shown!r} but should hold one line 'ID HASH' "
            f"(an entry id and its 64-character lowercase hex hash). It was edited or damaged: check "
            f"the log against a head you kept (`commons audit verify --head ID:HASH`)"
        )
    anchor = Head(int(match.group(1)), match.group(2))
    if anchor.id < 1:
        raise AnchorProblem(f"the anchor {path} is malformed: it names entry {anchor.id}, but ids start at 1")
    return anchor


@contextlib.contextmanager
def _shared_append_lock(lock_path: Path):
    # Appends hold this lock exclusively while they write the chain and the anchor; holding it shared means the
    # anchor is never read half-written. Without the lock file (no append yet) or without read access, read anyway.
    try:
        handle = open(lock_path, "rb")  # noqa: SIM115 - only open()'s OSError is caught; `with handle` below closes it
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def verify_log(eng: sa.Engine, anchor_path: Path, heads: tuple[Head, ...] | list[Head] = ()) -> VerifyResult:
    try:
        anchor, anchor_problem = read_anchor(anchor_path), None  # first: see the module docstring
    except AnchorProblem as exc:
        anchor, anchor_problem = None, str(exc)
    wanted = {h.id for h in heads} | ({anchor.id} if anchor else set())
    seen: dict[int, str] = {}
    prev_hash, expected, count, last = GENESIS, 1, 0, None
    with _every_row(eng) as rows:
        for entry in rows:
            count += 1
            problem = _entry_problem(entry, expected, prev_hash)
            if problem:
                return VerifyResult(False, count, *problem)
            if entry["id"] in wanted:
                seen[entry["id"]] = entry["hash"]
            prev_hash, expected, last = entry["hash"], expected + 1, entry
    last_id = last["id"] if last else 0
    if anchor_problem:
        return VerifyResult(False, count, None, anchor_problem)
    if anchor is None:
        if count:
            return VerifyResult(
                False,
                count,
                None,
                f"the anchor file {anchor_path} is missing but the log has {count} entries: it was "
                f"deleted, so deleting the newest entries would go unnoticed. Check the log against a "
                f"head you kept (`commons audit verify --head ID:HASH`), then restore the anchor from "
                f"your backup of the state directory",
            )
    elif anchor.id > last_id:
        return VerifyResult(
            False,
            count,
            last_id + 1,
            f"the log ends at entry {last_id} but the anchor records entry {anchor.id}: entries "
            f"{last_id + 1} to {anchor.id} were deleted from the end (truncated)",
        )
    elif seen[anchor.id] != anchor.hash:
        return VerifyResult(
            False,
            count,
            anchor.id,
            f"entry {anchor.id} does not match the anchor: the anchor records hash {anchor.hash[:16]}... "
            f"but the entry's hash is now {seen[anchor.id][:16]}...: the log was rewritten (changed and "
            f"re-hashed) at or before entry {anchor.id}, or the anchor was edited",
        )
    for head in sorted(heads, key=lambda h: h.id):
        if head.id > last_id:
            return VerifyResult(
                False,
                count,
                head.id,
                f"the published head {head.id}:{head.hash[:16]}... names entry {head.id}, which no "
                f"longer exists: the log ends at entry {last_id}, so entries were deleted from the end "
                f"(and the anchor rewritten to hide it)",
            )
        if seen[head.id] != head.hash:
            return VerifyResult(
                False,
                count,
                head.id,
                f"entry {head.id} does not match the head published earlier: it had hash "
                f"{head.hash[:16]}... and now has {seen[head.id][:16]}...: the history up to entry "
                f"{head.id} was rewritten (changed and re-hashed) after that head was published",
            )
    newest = {"id": last["id"], "hash": last["hash"], "time": last["time"]} if last else None
    return VerifyResult(True, count, head=newest)


@contextlib.contextmanager
def _every_row(eng: sa.Engine):
    """Every row in id order, not only ids >= 1 (an entry with id 0 or below is tampering, not something to skip),
    from one consistent snapshot."""
    query = sa.select(audit_log).order_by(audit_log.c.id)
    if eng.dialect.name != "sqlite":
        with eng.connect() as conn:
            yield (dict(row) for row in conn.execute(query).mappings())
        return
    # The commons' SQLite engine begins every transaction with BEGIN IMMEDIATE (the append's write lock); a
    # verify holding that for a whole scan would stall every audited read. A deferred transaction is a snapshot
    # that, in WAL mode, never blocks appends.
    raw = eng.raw_connection()
    try:
        cursor = raw.cursor()
        if raw.in_transaction:
            raw.rollback()
        cursor.execute("BEGIN")
        compiled = query.compile(dialect=eng.dialect)
        cursor.execute(str(compiled), compiled.params)
        names = [d[0] for d in cursor.description]
        # fetchone until None: PEP 249 makes iterating a cursor optional, so SQLAlchemy's DBAPICursor type lacks it.
        yield (dict(zip(names, row, strict=False)) for row in iter(cursor.fetchone, None))
        cursor.execute("ROLLBACK")
    finally:
        raw.close()


def _entry_problem(entry: dict, expected: int, prev_hash: str) -> tuple[int | None, str] | None:
    """(first_bad_id, reason) if this entry, the next in id order, breaks the chain."""
    entry_id = entry["id"]
    if not isinstance(entry_id, int) or isinstance(entry_id, bool):
        return expected, (
            f"an entry has the id {entry_id!r}, which is not a whole number: the table was changed by hand"
        )
    if entry_id < 1:
        return entry_id, (
            f"entry {entry_id} has an id below 1: ids start at 1, so it was inserted by hand (it is not "
            f"part of the chain, and nothing may count it)"
        )
    if entry_id == expected - 1:
        return entry_id, f"entry {entry_id} appears more than once: a copy was inserted by hand"
    if entry_id != expected:
        return expected, (
            f"entry {expected} is missing (the next id found is {entry_id}): entries were deleted, or their ids changed"
        )
    if entry["prev_hash"] != prev_hash:
        if entry_id == 1:
            return 1, (
                "entry 1 does not start the chain: its prev_hash should be 64 zeros (the genesis value), so "
                "entries before it were deleted or it was rewritten"
            )
        return entry_id, (
            f"entry {entry_id} does not follow entry {entry_id - 1}: its prev_hash does not match (an "
            f"earlier entry was changed, deleted or reordered)"
        )
    if entry_hash(entry) != entry["hash"]:
        return entry_id, f"entry {entry_id} was changed after it was written: its hash no longer matches its fields"
    return None


def head_record(result: VerifyResult, checked_at: str | None = None) -> dict:
    """The chain head as published (register ``api/audit/head``, ``commons audit head --json``): only for a log
    that verifies, since a head of a rewritten log is worth nothing to the people who keep copies."""
    head = result.head if result.ok else None
    record = {
        "ok": result.ok,
        "entries": result.entries,
        "id": head["id"] if head else None,
        "hash": head["hash"] if head else None,
        "time": head["time"] if head else None,
        "check": f"commons audit verify --head {head['id']}:{head['hash']}" if head else None,
    }
    if checked_at:
        record["checked_at"] = checked_at
    if not result.ok:
        record.update(first_bad_id=result.first_bad_id, reason=result.reason)
    return record
