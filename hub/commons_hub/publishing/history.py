"""Run history of the stories in the governance database (table ``story_runs``)."""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

from commons_hub.db import engine as default_engine
from commons_hub.tables.story_runs import story_runs

RUNNING, PUBLISHED, FAILED, SKIPPED, INTERRUPTED = "running", "published", "failed", "skipped", "interrupted"


def now() -> datetime:
    return datetime.now(UTC)


def new_run_id() -> str:
    return f"{now():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _row(row) -> dict:
    out = dict(row._mapping)
    out["parameters"] = json.loads(out["parameters"] or "{}")
    out["input_versions"] = json.loads(out["input_versions"] or "{}")
    return out


class RunHistory:
    def __init__(self, eng: sa.Engine | None = None):
        self.engine = eng or default_engine()

    def start(self, story: str, parameters: dict, inputs: dict, trigger: str, actor: str, places: int) -> str:
        run_id = new_run_id()
        with self.engine.begin() as conn:
            conn.execute(
                story_runs.insert().values(
                    run_id=run_id,
                    story=story,
                    parameters=json.dumps(parameters),
                    started_at=now(),
                    status=RUNNING,
                    input_versions=json.dumps(inputs, sort_keys=True),
                    trigger=trigger,
                    actor=actor,
                    pid=os.getpid(),
                    places=places,
                )
            )
        return run_id

    def finish(self, run_id: str, status: str, error: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                story_runs.update()
                .where(story_runs.c.run_id == run_id)
                .values(status=status, ended_at=now(), error=error)
            )

    def record_skip(self, story: str, inputs: dict, trigger: str, actor: str, reason: str) -> str:
        run_id = new_run_id()
        moment = now()
        with self.engine.begin() as conn:
            conn.execute(
                story_runs.insert().values(
                    run_id=run_id,
                    story=story,
                    parameters="{}",
                    started_at=moment,
                    ended_at=moment,
                    status=SKIPPED,
                    input_versions=json.dumps(inputs, sort_keys=True),
                    trigger=trigger,
                    actor=actor,
                    pid=os.getpid(),
                    places=0,
                    error=reason,
                )
            )
        return run_id

    def last_published(self, story: str) -> dict | None:
        query = (
            sa.select(story_runs)
            .where(story_runs.c.story == story, story_runs.c.status == PUBLISHED)
            .order_by(story_runs.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _row(row) if row else None

    def get(self, run_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(story_runs).where(story_runs.c.run_id == run_id)).first()
        return _row(row) if row else None

    def recent(self, story: str | None = None, limit: int = 20) -> list[dict]:
        query = sa.select(story_runs).order_by(story_runs.c.id.desc()).limit(limit)
        if story:
            query = query.where(story_runs.c.story == story)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def mark_interrupted(self, own: bool = False) -> int:
        """Runs still marked running whose process is gone (killed, machine restarted) become interrupted;
        ``own``: this process's runs too (it is stopping)."""
        with self.engine.connect() as conn:
            running = conn.execute(
                sa.select(story_runs.c.run_id, story_runs.c.pid).where(story_runs.c.status == RUNNING)
            ).all()
        dead = [run_id for run_id, pid in running if not _alive(pid) or (own and pid == os.getpid())]
        for run_id in dead:
            self.finish(
                run_id,
                INTERRUPTED,
                "the refresh process stopped before it finished (killed or restarted); the published version was kept",
            )
        return len(dead)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
