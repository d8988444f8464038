"""Whether the audit chain verifies, and its head, kept current cheaply for the register.

A full ``AuditLog.verify()`` (every entry, and the anchor) runs at most every ``FULL_EVERY`` seconds; in between,
entries appended since are checked against the last verified hash, so the count and the head are always current
and an append that breaks the chain shows at once. The head (id, hash, time of the last verified entry) is what
the register publishes for people to keep; while the chain does not verify there is no head to publish.
"""

from __future__ import annotations

import threading
import time

from commons_hub.audit import GENESIS, AuditLog, VerifyResult, entry_hash
from commons_hub.audit_verify import head_record

FULL_EVERY = 30.0


class ChainStatus:
    def __init__(self, audit: AuditLog):
        self.audit = audit
        self._lock = threading.Lock()
        self._status: dict | None = None
        self._head: dict | None = None
        self._full_at = 0.0

    def current(self) -> dict:
        """ok, entries, first_bad_id, reason, checked_at, and head ({id, hash, time} or None)."""
        with self._lock:
            status = self._status
            if status is None or time.monotonic() - self._full_at > FULL_EVERY:
                status = self._full()
            elif status["ok"]:
                status = self._extend(status)
            return {**status, "head": dict(self._head) if self._head else None}

    def head(self) -> dict:
        """The published head: what `commons audit head --json` prints, plus when the register last checked."""
        status = self.current()
        result = VerifyResult(
            status["ok"], status["entries"], status["first_bad_id"], status["reason"], head=status["head"]
        )
        return head_record(result, checked_at=status["checked_at"])

    def verified_through(self) -> int:
        """The id of the last entry the chain check accepted; 0 while the chain does not verify (count nothing)."""
        status = self.current()
        return status["head"]["id"] if status["ok"] and status["head"] else 0

    def _full(self) -> dict:
        result = self.audit.verify()
        status = self._status = {
            "ok": result.ok,
            "entries": result.entries,
            "first_bad_id": result.first_bad_id,
            "reason": result.reason,
            "checked_at": _now(),
        }
        self._full_at = time.monotonic()
        # Continue from the last entry the full check covered (entries appended meanwhile are checked next).
        self._head = result.head
        return status

    def _extend(self, status: dict) -> dict:
        last_id = self._head["id"] if self._head else 0
        for entry in self.audit.entries(since_id=last_id):
            expected_prev = self._head["hash"] if self._head else GENESIS
            if entry["id"] != last_id + 1 or entry["prev_hash"] != expected_prev or entry_hash(entry) != entry["hash"]:
                return self._full()  # something is wrong: say exactly what, from the start
            self._head = {"id": entry["id"], "hash": entry["hash"], "time": entry["time"]}
            last_id = entry["id"]
            status["entries"] += 1
        status["checked_at"] = _now()
        return status


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
