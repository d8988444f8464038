"""The audit log: append-only, hash-chained entries in the governance database.

Each entry's ``hash`` is sha256 over the canonical JSON of its fields and the previous entry's hash, so an
edited, deleted, reordered or truncated entry breaks the chain from that point; ``verify`` names the first.
Appending takes the database's write lock first (SQLite ``BEGIN IMMEDIATE``; PostgreSQL a table lock), so
several processes appending at once keep one chain and lose nothing.

Truncation at the tail (deleting the newest entries) leaves a valid prefix; it is caught by the anchor: the
latest id and hash are also written to ``$COMMONS_HOME/audit.anchor`` after each append, and ``verify`` checks
the entry it names. A history re-hashed from end to end, anchor included, is caught only by heads kept off the
machine: the register publishes the chain head and ``verify(heads)`` checks copies (``commons_hub.audit_verify``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from commons_hub.db import audit_log, engine
from commons_kernel import config

GENESIS = "0" * 64
_THREAD_LOCK = threading.Lock()
_LAST = sa.select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
_INSERT = audit_log.insert()
_APPENDED = "commons_audit_appended"  # conn.info key: entries appended in this transaction, for the anchor
_HOLDER = threading.local()  # .conn: the audited transaction this thread holds (a nested one would deadlock)


@contextlib.contextmanager
def _process_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


ACTIONS = {
    "read": "data left the data-api (open, community or restricted)",
    "deny": "a read, upload or other action was refused",
    "token": "an operator issued an API token",
    "contribute": "a member uploaded data (a pending version)",
    "approve-contribution": "a steward approved a pending version",
    "reject-contribution": "a steward rejected a pending version",
    "withdraw": "a contributor withdrew a dataset",
    "propose": "a member proposed a project",
    "vote": "a member or steward voted on a project or membership",
    "decide": "a project or membership decision took effect",
    "release-request": "an analyst asked for outputs to be released",
    "release-review": "a checker approved, rejected or asked for changes",
    "release": "outputs were released after two approvals",
    "release-download": "a released output (or one under review, by a checker) left the data-api",
    "story-run": "the refresher ran a story",
    "assistant": "a member asked the assistant (datasets cited; text only if opted in)",
}
HASHED_FIELDS = (
    "id",
    "time",
    "actor",
    "actor_kind",
    "project",
    "purpose",
    "action",
    "dataset",
    "version",
    "rows",
    "bytes",
    "outcome",
    "detail",
    "prev_hash",
)


@dataclass
class AuditEvent:
    actor: str
    action: str
    outcome: str = "ok"
    actor_kind: str = "user"
    project: str | None = None
    purpose: str | None = None
    dataset: str | None = None
    version: int | None = None
    rows: int | None = None
    bytes: int | None = None
    detail: dict = field(default_factory=dict)


def refusal(
    actor: str, reason: str, *, action: str = "deny", actor_kind: str = "user", outcome: str = "denied", **fields
) -> AuditEvent:
    """The entry of a refused action (a read, an upload, a vote, a release step): the one shape every refusal has,
    ``outcome`` denied (``error`` for a failure inside a service) and the reason in ``detail`` with the rest of it."""
    detail = {"reason": reason, **fields.pop("detail", {})}
    return AuditEvent(actor=actor, action=action, outcome=outcome, actor_kind=actor_kind, detail=detail, **fields)


def canonical(entry: dict) -> bytes:
    return json.dumps(
        {k: entry[k] for k in HASHED_FIELDS}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str = ""
    head: dict | None = None  # id, hash and time of the last entry, when the log verifies


def _holds(conn: sa.Connection) -> bool:
    """Whether ``conn`` is the audited transaction this thread holds."""
    return getattr(_HOLDER, "conn", None) is conn


class AuditLog:
    def __init__(self, eng: sa.Engine | None = None, anchor: Path | None = None):
        self.engine = eng or engine()
        self.anchor = anchor or (config.home() / "audit.anchor")

    def append(self, event: AuditEvent, conn: sa.Connection | None = None) -> dict:
        """Append one entry. With ``conn`` (from ``transaction()``) the entry joins that open transaction and
        commits or rolls back with the governance write beside it; without, it is its own transaction."""
        if event.action not in ACTIONS:
            raise ValueError(f"Unknown audit action {event.action!r}; add it to commons_hub.audit.ACTIONS.")
        entry = asdict(event)
        entry["detail"] = json.dumps(entry["detail"], sort_keys=True, separators=(",", ":"), default=str)
        if conn is None:
            with self.transaction() as own:
                return self._chain(own, entry)
        if conn.info.get(_APPENDED) is None or not _holds(conn):
            raise ValueError(
                "AuditLog.append(conn=...) takes the connection of `with audit.transaction() as conn:`, "
                "which holds the audit lock until the commit and moves the anchor after it; a plain "
                "engine.begin() connection cannot chain entries safely."
            )
        return self._chain(conn, entry)

    @staticmethod
    def _chain(conn: sa.Connection, entry: dict) -> dict:
        # Only what depends on the previous entry happens here, under the lock.
        last = conn.execute(_LAST).first()
        entry.update(
            id=(last.id + 1) if last else 1,
            prev_hash=last.hash if last else GENESIS,
            time=datetime.now(UTC).isoformat(timespec="microseconds"),
        )
        entry["hash"] = entry_hash(entry)
        conn.execute(_INSERT, entry)
        conn.info[_APPENDED].append(entry)
        return entry

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """``with audit.transaction() as conn:`` one database transaction for a governance write and its audit
        entries (``append(event, conn=conn)``): both commit, or neither does.

        Writers queue on a blocking lock (threads, then processes via flock) rather than on SQLite's busy
        handler, whose growing sleeps cut throughput tenfold under contention; the lock is held until the
        transaction ends, and taken before the database's write lock (BEGIN IMMEDIATE / LOCK TABLE), which still
        guards correctness. The anchor moves only after the commit succeeded, still under the lock.
        """
        if getattr(_HOLDER, "conn", None) is not None:
            raise RuntimeError(
                "An audited transaction is already open in this thread: append to it with "
                "append(event, conn=conn), or audit (e.g. a denial) before opening it; a second one "
                "would wait for the first forever."
            )
        with _THREAD_LOCK, _process_lock(self.anchor.with_name("audit.lock")):
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                appended: list[dict] = []
                conn.info[_APPENDED] = appended
                _HOLDER.conn = conn
                try:
                    yield conn
                finally:
                    _HOLDER.conn = None
                    conn.info.pop(_APPENDED, None)
            if appended:
                self._write_anchor(appended[-1])

    def _write_anchor(self, entry: dict) -> None:
        # Written after the commit, under the append lock, so anchors only move forward and never name an entry
        # that was rolled back (a crash in between leaves the anchor one entry behind, which verify accepts). One
        # fixed-width pwrite in place: a rename per entry cost more than the database insert. The anchor guards
        # against tampering, not power loss.
        record = f"{entry['id']:>20} {entry['hash']}\n".encode()
        fd = os.open(self.anchor, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, record, 0)
        finally:
            os.close(fd)

    def entries(self, since_id: int = 0):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(audit_log).where(audit_log.c.id > since_id).order_by(audit_log.c.id))
            for row in rows.mappings():
                yield dict(row)

    def tail(self, n: int = 20) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(n)).mappings().all()
        return [dict(r) for r in reversed(rows)]

    def verify(self, heads=()) -> VerifyResult:
        """Prove the whole log: ids 1..N, every hash, the anchor wherever it points, and each earlier head
        (``audit_verify.Head``) still present unchanged. See ``commons_hub.audit_verify``."""
        from commons_hub.audit_verify import verify_log

        return verify_log(self.engine, self.anchor, tuple(heads))
