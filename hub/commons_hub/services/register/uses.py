"""Data uses counted from the audit log in SQL: reads per dataset per project per month, filtered and paged.

Counted are ``read`` entries with outcome ``ok`` and ids 1 to ``as_of`` (the verified head). Filters and paging
are SQL WHERE / LIMIT, so a page of a register with 100,000 entries reads one page of groups, and the purposes
are fetched for the groups on that page only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from commons_hub.db import audit_log
from commons_hub.services.register.query import Query, pages

COLUMNS = ("month", "dataset", "project", "reads", "rows", "purposes")
MONTH = sa.func.substr(audit_log.c.time, 1, 7).label("month")


def counted(as_of: int, query: Query | None = None) -> list:
    """WHERE conditions of the reads counted up to entry ``as_of``, narrowed by the query's filters."""
    conditions = [
        audit_log.c.action == "read",
        audit_log.c.outcome == "ok",
        audit_log.c.id >= 1,
        audit_log.c.id <= as_of,
    ]
    if query is None:
        return conditions
    if query.dataset:
        conditions.append(audit_log.c.dataset == query.dataset)
    if query.project:
        conditions.append(audit_log.c.project == query.project)
    start, end = query.time_bounds()
    if start:
        conditions.append(audit_log.c.time >= start)
    if end:
        conditions.append(audit_log.c.time < end)
    return conditions


def grouped(conditions: list) -> sa.Select:
    return (
        sa.select(
            audit_log.c.dataset,
            audit_log.c.project,
            MONTH,
            sa.func.count().label("reads"),
            sa.func.coalesce(sa.func.sum(audit_log.c.rows), 0).label("rows"),
        )
        .where(*conditions)
        .group_by(audit_log.c.dataset, audit_log.c.project, MONTH)
        .order_by(MONTH.desc(), audit_log.c.dataset, audit_log.c.project)
    )


def _purposes(conn, conditions: list, groups: Sequence | None = None) -> dict[tuple, list[str]]:
    """The purposes stated, by (dataset, project, month); only for ``groups`` when given (one page's)."""
    where = [*conditions, audit_log.c.purpose.is_not(None), audit_log.c.purpose != ""]
    if groups is not None:
        if not groups:
            return {}
        where.append(audit_log.c.dataset.in_(sorted({g.dataset for g in groups if g.dataset is not None})))
        where.append(MONTH.in_(sorted({g.month for g in groups})))
    stated = (
        sa.select(audit_log.c.dataset, audit_log.c.project, MONTH, audit_log.c.purpose)
        .distinct()
        .where(*where)
        .order_by(audit_log.c.purpose)
    )
    out: dict[tuple, list[str]] = {}
    for r in conn.execute(stated):
        out.setdefault((r.dataset, r.project, r.month), []).append(r.purpose)
    return out


def _use(row, purposes: dict) -> dict:
    return {
        "dataset": row.dataset,
        "project": row.project,
        "month": row.month,
        "reads": int(row.reads),
        "rows": int(row.rows),
        "purposes": purposes.get((row.dataset, row.project, row.month), []),
    }


def all_uses(eng: sa.Engine, as_of: int) -> list[dict]:
    """Every group, unfiltered (the datasets' and summary's counts)."""
    conditions = counted(as_of)
    with eng.connect() as conn:
        purposes = _purposes(conn, conditions)
        return [_use(r, purposes) for r in conn.execute(grouped(conditions))]


def uses_page(eng: sa.Engine, as_of: int, query: Query) -> dict:
    """One page of groups matching the filters, with the totals over every matching read.

    The totals ride on the page's own query as window functions over the groups (one scan of the log, not
    three); only a page past the end needs a second query for them."""
    conditions = counted(as_of, query)
    totals = (
        sa.func.count().over().label("groups_total"),
        sa.func.sum(sa.func.count()).over().label("reads_total"),
        sa.func.sum(sa.func.coalesce(sa.func.sum(audit_log.c.rows), 0)).over().label("rows_total"),
    )
    with eng.connect() as conn:
        groups = conn.execute(grouped(conditions).add_columns(*totals).limit(query.per_page).offset(query.offset)).all()
        if groups:
            groups_total, reads, rows = groups[0].groups_total, groups[0].reads_total, groups[0].rows_total
        else:
            reads, rows = conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(audit_log.c.rows), 0)).where(*conditions)
            ).one()
            groups_total = conn.execute(
                sa.select(sa.func.count()).select_from(grouped(conditions).order_by(None).subquery())
            ).scalar_one()
        purposes = _purposes(conn, conditions, groups)
        page = [_use(r, purposes) for r in groups]
    return {
        "as_of_entry": as_of,
        "uses": page,
        "reads": int(reads or 0),
        "rows": int(rows or 0),
        "paging": pages(groups_total, query),
        "filters": query.as_dict(),
    }


def iter_uses(eng: sa.Engine, as_of: int, query: Query, batch: int = 2000) -> Iterator[dict]:
    """Every group matching the filters (a download), a batch of groups at a time."""
    conditions = counted(as_of, query)
    offset = 0
    while True:
        with eng.connect() as conn:
            groups = conn.execute(grouped(conditions).limit(batch).offset(offset)).all()
            purposes = _purposes(conn, conditions, groups)
        yield from (_use(r, purposes) for r in groups)
        if len(groups) < batch:
            return
        offset += batch
