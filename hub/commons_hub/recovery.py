"""The start-up sweep: finish or remove what a crash left half-done, before the data-api serves anyone.

Every governance write commits with its audit entry in one transaction (``AuditLog.transaction``). What follows
a commit on disk is completed here: an approved contribution's files and manifest entry, a withdrawal's manifest
flag. What a crash left before a commit is removed: staged files, version files no manifest lists, pending
uploads and release folders with no committed row. None of those was ever readable. Each step can run again, so
the sweep after a clean stop does nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa

from commons_hub.db import engine
from commons_hub.governance import contributions, withdrawals
from commons_hub.releases import service as releases
from commons_hub.store import Store

log = logging.getLogger(__name__)


def sweep_leftovers(home: Path | None = None, eng: sa.Engine | None = None) -> list[str]:
    """Run every sweep over the state directory ``home``; returns one line per thing done (also logged)."""
    store, eng = Store(home), eng or engine()
    done = [
        *contributions.sweep(store, eng),
        *withdrawals.sweep(store, eng),
        *releases.sweep(store.home, eng),
        *store.sweep(),
    ]
    for line in done:
        log.warning("start-up sweep: %s", line)
    return done
