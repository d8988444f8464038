"""The story-refresh history (the refresher's ``story_runs`` table) as the register shows it: one row per refresh,
with its outcome, how long it took, which period its data cover and the error, if any. Newest first, paged.

Who started a run (``actor``) and the refresher's process id are not shown. The data period comes from the
catalogue's ``period`` of the datasets the story's story.yaml names under ``periods:`` ("crime: December 2021"),
else of each dataset the run read (its ``input_versions``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from commons_hub.services.register.query import Query, pages
from commons_hub.services.register.readonly import has_table

COLUMNS = ("story", "started_at", "outcome", "duration_s", "data_period", "places", "trigger", "error", "run_id")
OUTCOMES = {
    "published": "published",
    "failed": "failed: the last good version stayed online",
    "skipped": "skipped",
    "interrupted": "interrupted: the last good version stayed online",
    "running": "running now",
}


def _duration(started, ended) -> float | None:
    if started is None or ended is None:
        return None
    started, ended = (v if isinstance(v, datetime) else datetime.fromisoformat(str(v)) for v in (started, ended))
    if (started.tzinfo is None) != (ended.tzinfo is None):
        started, ended = started.replace(tzinfo=None), ended.replace(tzinfo=None)
    return round((ended - started).total_seconds(), 1)


def _period(inputs: str | None, periods: dict[str, str | None], wanted: dict[str, str] | None) -> str:
    if wanted:
        return "; ".join(f"{what}: {periods.get(dataset) or 'period not stated'}" for what, dataset in wanted.items())
    try:
        versions = json.loads(inputs or "{}")
    except ValueError:
        versions = {}
    names = [n for n in versions if n != "story"] if isinstance(versions, dict) else []
    parts = [f"{name}: {periods.get(name) or 'period not stated'}" for name in sorted(names)]
    return "; ".join(parts)


def wanted_periods() -> dict[str, dict[str, str]]:
    """Each story's ``periods:`` (what → dataset) from its story.yaml; none when the stories cannot be read."""
    from commons_kernel.exceptions import CommonsError
    from commons_kernel.stories.model import discover

    try:
        return {story.slug: dict(story.raw.get("periods") or {}) for story in discover()}
    except (CommonsError, OSError, ValueError):
        return {}


def utc_time(value) -> str | None:
    """2026-12-02 05:50:12: the time in UTC to the second (the page's column says UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="seconds")


def _row(row, periods: dict, wanted: dict) -> dict:
    return {
        "story": row.story,
        "started_at": utc_time(row.started_at),
        "ended_at": utc_time(row.ended_at),
        "outcome": OUTCOMES.get(row.status, row.status),
        "status": row.status,
        "duration_s": _duration(row.started_at, row.ended_at),
        "data_period": _period(row.input_versions, periods, wanted.get(row.story)),
        "places": row.places,
        "trigger": row.trigger,
        "error": row.error or "",
        "run_id": row.run_id,
    }


def _table(eng: sa.Engine) -> sa.Table:
    return sa.Table("story_runs", sa.MetaData(), autoload_with=eng)


def story_runs_page(eng: sa.Engine, periods: dict[str, str | None], query: Query) -> dict:
    """{"exists", "columns", "rows", "paging"}: one page of refreshes, newest first."""
    if not has_table(eng, "story_runs"):
        return {"exists": False, "columns": list(COLUMNS), "rows": [], "paging": pages(0, query)}
    table, wanted = _table(eng), wanted_periods()
    with eng.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        rows = conn.execute(
            sa.select(table).order_by(table.c.id.desc()).limit(query.per_page).offset(query.offset)
        ).all()
    return {
        "exists": True,
        "columns": list(COLUMNS),
        "rows": [_row(r, periods, wanted) for r in rows],
        "paging": pages(total, query),
    }


def iter_story_runs(eng: sa.Engine, periods: dict[str, str | None], batch: int = 1000):
    if not has_table(eng, "story_runs"):
        return
    table, wanted = _table(eng), wanted_periods()
    offset = 0
    while True:
        with eng.connect() as conn:
            rows = conn.execute(sa.select(table).order_by(table.c.id.desc()).limit(batch).offset(offset)).all()
        yield from (_row(r, periods, wanted) for r in rows)
        if len(rows) < batch:
            return
        offset += batch


def duration_words(seconds: float | None) -> str:
    """1.2 s, 45 s, 3 min 05 s: how long a refresh took, as people read it."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"
