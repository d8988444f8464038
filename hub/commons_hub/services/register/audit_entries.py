"""Recent audit entries as the register publishes them: public fields only, newest first, filtered and paged in SQL.

Published: id, time, action, dataset, project, outcome and hash. Never published: who acted (actor, actor_kind),
the purpose they typed, and the entry's detail (which can name people, files or reasons); the register shows the
purposes of reads only as the uses page does, grouped per dataset, project and month. Only entries the chain check
accepted are listed (ids 1 to the verified head): while the chain does not verify, none are.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from commons_hub.audit import ACTIONS
from commons_hub.db import audit_log
from commons_hub.services.register.query import BadRegisterQuery, Query, pages

COLUMNS = ("id", "time", "action", "dataset", "project", "outcome", "hash")


def _conditions(verified_through: int, query: Query) -> list:
    if query.action and query.action not in ACTIONS:
        raise BadRegisterQuery(
            "action", f"value {query.action!r} is not an audit action.", f"Actions are {', '.join(ACTIONS)}."
        )
    conditions = [audit_log.c.id >= 1, audit_log.c.id <= verified_through]
    for name in ("dataset", "project", "action"):
        if getattr(query, name):
            conditions.append(audit_log.c[name] == getattr(query, name))
    start, end = query.time_bounds()
    if start:
        conditions.append(audit_log.c.time >= start)
    if end:
        conditions.append(audit_log.c.time < end)
    return conditions


def _select(conditions: list) -> sa.Select:
    return sa.select(*[audit_log.c[c] for c in COLUMNS]).where(*conditions).order_by(audit_log.c.id.desc())


def entries_page(eng: sa.Engine, verified_through: int, query: Query) -> dict:
    conditions = _conditions(verified_through, query)
    with eng.connect() as conn:
        if query.filtered:
            total = conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(*conditions)).scalar_one()
        else:
            total = verified_through  # ids are 1..head without gaps in a log that verifies
        rows = [
            dict(r) for r in conn.execute(_select(conditions).limit(query.per_page).offset(query.offset)).mappings()
        ]
    return {"rows": rows, "paging": pages(total, query), "filters": query.as_dict(), "actions": list(ACTIONS)}


def iter_entries(eng: sa.Engine, verified_through: int, query: Query, batch: int = 5000) -> Iterator[dict]:
    """Every matching entry, newest first (a download), by id ranges so no batch re-reads earlier ones."""
    conditions = _conditions(verified_through, query)
    below = verified_through + 1
    while True:
        with eng.connect() as conn:
            rows = [
                dict(r) for r in conn.execute(_select([*conditions, audit_log.c.id < below]).limit(batch)).mappings()
            ]
        yield from rows
        if len(rows) < batch:
            return
        below = rows[-1]["id"]
