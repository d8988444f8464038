"""Whether the audit chain verifies, kept current cheaply for the register.

A full ``AuditLog.verify()`` (every entry, and the anchor) runs at most every ``FULL_EVERY`` seconds; in between,
entries appended since are checked against the last verified hash, so the count is always current and an
append that breaks the chain shows at once.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from commons_hub.audit import AuditLog, entry_hash
from commons_hub.db import audit_log

FULL_EVERY = 30.0


class ChainStatus:
    def __init__(self, audit: AuditLog):
        self.audit = audit
        self._lock = threading.Lock()
        self._status: dict | None = None
        self._last_id, self._last_hash, self._full_at = 0, None, 0.0

    def current(self) -> dict:
        with self._lock:
            if self._status is None or time.monotonic() - self._full_at > FULL_EVERY:
                self._full()
            elif self._status["ok"]:
                self._extend()
            return dict(self._status)

    def _full(self) -> None:
        result = self.audit.verify()
        self._status = {"ok": result.ok, "entries": result.entries, "first_bad_id": result.first_bad_id,
                        "reason": result.reason, "checked_at": _now()}
        self._full_at = time.monotonic()
        # Continue from the last entry the full check covered (entries appended meanwhile are checked next).
        self._last_id = result.entries if result.ok else 0
        with self.audit.engine.connect() as conn:
            self._last_hash = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.id == self._last_id)).scalar()

    def _extend(self) -> None:
        for entry in self.audit.entries(since_id=self._last_id):
            expected_prev = self._last_hash or "0" * 64
            if entry["id"] != self._last_id + 1 or entry["prev_hash"] != expected_prev or \
                    entry_hash(entry) != entry["hash"]:
                self._full()  # something is wrong: say exactly what, from the start
                return
            self._last_id, self._last_hash = entry["id"], entry["hash"]
            self._status["entries"] += 1
        self._status["checked_at"] = _now()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
