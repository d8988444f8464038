"""The governance database on SQLite vs PostgreSQL, measured in the same run on the same machine.

1. Audit appends/s from 8 processes appending at once (goal >= 1,000/s on both; none lost, the chain verifies).
   Both on the defaults a deployment runs: SQLite in WAL mode with synchronous=NORMAL (commons_hub.db), and a
   PostgreSQL server with its defaults (fsync on, synchronous_commit on: every commit waits for the disk).
   The PostgreSQL figure with synchronous_commit=off (a crash may lose the last few commits, never corrupt) is
   printed too, for comparison.
2. Register page p50 with 100,000 audit entries on each backend: the summary page, the uses page (reads per
   dataset per project per month) and the audit page (which verifies the whole chain), served by the register's
   own app on a loopback port.

Run: .venv/bin/python bench/bench_audit_backends.py   (starts its own throwaway PostgreSQL server; ~3 minutes)
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.postgres_server import ThrowawayPostgres  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from bench_governed_read import audit_throughput_at  # noqa: E402

WORKERS, PER_WORKER, ENTRIES, PAGE_RUNS = 8, 500, 100_000, 15


def audit_throughput(db_url: str, anchor: Path) -> tuple[float, bool, int]:
    """Appends per second with WORKERS processes at once (bench_governed_read's measurement, on any backend)."""
    return audit_throughput_at(db_url, anchor, WORKERS, PER_WORKER)


def fill(db_url: str, anchor: Path, entries: int) -> None:
    """``entries`` real chained entries (reads over a year, some denials), inserted in batches: the same hashes
    the append computes, without one transaction each."""
    from commons_hub.audit import GENESIS, entry_hash
    from commons_hub.db import audit_log, engine

    eng = engine(db_url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    datasets = ["imd2019_lsoa11", "synthetic_referrals", "population_mid2019_lsoa11", "crime_2025"]
    prev, batch = GENESIS, []
    with eng.begin() as conn:
        for i in range(1, entries + 1):
            denied = i % 20 == 0
            entry = {
                "id": i,
                "time": (start + timedelta(seconds=300 * i)).isoformat(timespec="microseconds"),
                "actor": f"analyst{i % 40}",
                "actor_kind": "user",
                "project": "early-help-demand" if i % 3 else None,
                "purpose": "ward rates for the board",
                "action": "deny" if denied else "read",
                "dataset": datasets[i % 4],
                "version": 1,
                "rows": None if denied else 989,
                "bytes": 40_000,
                "outcome": "denied" if denied else "ok",
                "detail": "{}",
                "prev_hash": prev,
            }
            entry["hash"] = prev = entry_hash(entry)
            batch.append(entry)
            if len(batch) == 5000:
                conn.execute(audit_log.insert(), batch)
                batch = []
        if batch:
            conn.execute(audit_log.insert(), batch)
    anchor.write_text(f"{entries:>20} {prev}\n")


def page_p50(
    db_url: str, home: Path, pages: tuple[str, ...] = ("", "uses", "audit"), runs: int = PAGE_RUNS
) -> dict[str, float]:
    """p50 (ms) of register pages (paths with their query strings) served by the register's app over HTTP on
    loopback; also each page's first visit, as "PAGE (first)"."""
    import asyncio
    import socket

    from tornado import httpserver, ioloop

    from commons_hub.services.register.app import make_app
    from commons_hub.services.register.data import RegisterData
    from commons_hub.services.register.readonly import readonly_engine
    from commons_hub.store import Store

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = threading.Event()
    loop_box = {}

    def serve():
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = make_app(RegisterData(readonly_engine(db_url), Store(home)), prefix="/services/register/")
        server = httpserver.HTTPServer(app)
        server.listen(port, "127.0.0.1")
        loop_box["loop"] = ioloop.IOLoop.current()
        started.set()
        loop_box["loop"].start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(30)
    out = {}
    try:
        session = requests.Session()
        for page in pages:
            url = f"http://127.0.0.1:{port}/services/register/{page}"
            t0 = time.perf_counter()
            first = session.get(url, timeout=300)
            out[f"{page or 'summary'} (first)"] = (time.perf_counter() - t0) * 1000
            assert first.status_code == 200, (page, first.status_code, first.text[:300])
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = session.get(url, timeout=300)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            out[page or "summary"] = statistics.median(times)
    finally:
        loop_box["loop"].add_callback(loop_box["loop"].stop)
        thread.join(10)
    return out


def main() -> None:
    import os

    from commons_hub.db import dispose_all

    tmp = Path(tempfile.mkdtemp(prefix="bench-audit-backends-"))
    home = tmp / "home"
    home.mkdir()
    os.environ["COMMONS_HOME"] = str(home)
    durable = ThrowawayPostgres().start()  # PostgreSQL's defaults: fsync on, synchronous_commit on
    relaxed = ThrowawayPostgres({"synchronous_commit": "off"}).start()
    results = {}
    try:
        backends = {
            "sqlite": lambda name: f"sqlite:///{tmp / (name + '.sqlite')}",
            "postgresql": durable.create_database,
            "postgresql (synchronous_commit=off)": relaxed.create_database,
        }
        for label, make in backends.items():
            rate, ok, count = audit_throughput(make("appends"), tmp / f"{label[:10]}-appends.anchor")
            results[label] = {"appends_per_s": round(rate), "chain_ok": ok, "entries": count}
            print(
                f"{label:<38} {rate:8.0f} appends/s from {WORKERS} processes  (chain ok: {ok}, {count} entries)",
                flush=True,
            )
            dispose_all()
        for label in ("sqlite", "postgresql"):
            url = backends[label]("register")
            anchor = home / "audit.anchor"  # where the register's AuditLog looks (Store(home).home)
            t0 = time.perf_counter()
            fill(url, anchor, ENTRIES)
            print(f"{label}: {ENTRIES} entries written in {time.perf_counter() - t0:.1f} s", flush=True)
            p50 = page_p50(url, home)
            results[label]["register_p50_ms"] = {k: round(v, 1) for k, v in p50.items()}
            print(
                f"{label:<38} register p50 with {ENTRIES} entries: "
                + ", ".join(f"{k} {v:.1f} ms" for k, v in p50.items()),
                flush=True,
            )
            dispose_all()
    finally:
        dispose_all()
        durable.stop()
        relaxed.stop()
    sqlite, postgres = results["sqlite"]["appends_per_s"], results["postgresql"]["appends_per_s"]
    print(f"\nappends/s PostgreSQL / SQLite: {postgres / sqlite:.2f} (goal: both >= 1,000/s)")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
