"""The audit append under concurrency, on SQLite and PostgreSQL (``db_backend``): several processes appending
lose nothing and keep one chain, and a process killed with SIGKILL (mid-append, or holding an open audited
transaction) leaves a valid chain that others go on appending to.

Each process has its own anchor file and lock file, as processes on separate machines would: only the database's
own lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``LOCK TABLE audit_log IN EXCLUSIVE MODE``) keeps them in order.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from commons_hub.audit import AuditLog
from commons_hub.db import audit_log, engine

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 8
EACH = 60


@pytest.fixture
def url(db_backend, tmp_path, request) -> str:
    if db_backend == "postgresql":
        return request.getfixturevalue("postgres_database")
    return f"sqlite:///{tmp_path / 'audit.sqlite'}"


def appender(url: str, anchor: Path, worker: int, *args: str) -> subprocess.Popen:
    anchor.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.unit.audit_append_child", url, str(anchor), str(worker), *args],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )


def per_actor(url: str) -> dict[str, int]:
    with engine(url).connect() as conn:
        return dict(conn.execute(sa.select(audit_log.c.actor, sa.func.count()).group_by(audit_log.c.actor)).all())


def verify_with_every_anchor(url: str, anchors: list[Path]) -> int:
    for anchor in anchors:
        result = AuditLog(engine(url), anchor=anchor).verify()
        assert result.ok, f"{anchor}: {result.reason} (first bad entry {result.first_bad_id})"
    return result.entries


def test_eight_processes_lose_nothing_and_keep_one_chain(url, tmp_path):
    engine(url)  # the schema, once
    anchors = [tmp_path / f"machine{w}" / "audit.anchor" for w in range(WORKERS)]
    children = [appender(url, anchors[w], w, str(EACH)) for w in range(WORKERS)]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    assert per_actor(url) == {f"w{w}": EACH for w in range(WORKERS)}
    assert verify_with_every_anchor(url, anchors) == WORKERS * EACH
    with engine(url).connect() as conn:
        ids = [row.id for row in conn.execute(sa.select(audit_log.c.id).order_by(audit_log.c.id))]
    assert ids == list(range(1, WORKERS * EACH + 1))


def wait_for_entries(url: str, at_least: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine(url).connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar()
        if count >= at_least:
            return count
        time.sleep(0.02)
    raise TimeoutError(f"fewer than {at_least} entries after {timeout} s")


def test_kill_9_mid_append_leaves_a_valid_chain(url, tmp_path):
    engine(url)
    anchors = []
    for round_ in range(3):
        anchor = tmp_path / f"victim{round_}" / "audit.anchor"
        anchors.append(anchor)
        before = sum(per_actor(url).values())
        victim = appender(url, anchor, 100 + round_, "100000")
        wait_for_entries(url, before + 20 + 15 * round_)  # killed at a different point each round
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=30)
        assert victim.returncode == -signal.SIGKILL
    survivor_anchor = tmp_path / "survivor" / "audit.anchor"
    anchors.append(survivor_anchor)
    survivor = appender(url, survivor_anchor, 0, "25")
    _, err = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, err
    assert per_actor(url)["w0"] == 25
    verify_with_every_anchor(url, anchors)


def test_kill_9_holding_an_audited_transaction_rolls_it_back_and_frees_the_lock(url, tmp_path):
    engine(url)
    ready = tmp_path / "holding"
    holder = appender(url, tmp_path / "holder" / "audit.anchor", 1, "hold", str(ready))
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert holder.poll() is None, holder.communicate()[1]
        assert time.monotonic() < deadline, "the holder never opened its transaction"
        time.sleep(0.05)
    os.kill(holder.pid, signal.SIGKILL)
    holder.communicate(timeout=30)
    started = time.monotonic()
    other = appender(url, tmp_path / "other" / "audit.anchor", 2, "10")
    _, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert time.monotonic() - started < 60, "the killed holder's lock was not released"
    assert per_actor(url) == {"w2": 10}  # the held entry was never committed
    verify_with_every_anchor(url, [tmp_path / "other" / "audit.anchor"])
