"""Governed access benchmarks, each against a baseline measured in the same run.

1. Governed read of 1M rows × 10 columns through the proxy and data-api vs a direct pyarrow read of the same
   Parquet file (goal: ratio ≤ 1.25).
2. Small read (1k rows) including the audit write: p50 / p95 (goal p50 ≤ 15 ms); baseline: the data-api's
   unauthenticated health endpoint through the same proxy (the floor of one HTTP round trip).
3. Audit throughput: 8 processes appending at once (goal ≥ 1,000 entries/s, none lost), and 8 concurrent HTTP
   readers end to end.
4. User server ready after spawn, p50 (goal ≤ 4 s).

Run: .venv/bin/python bench/bench_governed_read.py   (starts its own hub on free loopback ports)
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.hubfixture import RunningHub  # noqa: E402


def add_bench_dataset(home: Path, name: str, rows: int) -> Path:
    """A synthetic open dataset written straight into the store, with metadata beside it."""
    import os

    os.environ["COMMONS_HOME"] = str(home)
    from commons_hub.store import Store

    rng = np.random.default_rng(1)
    columns = {"area_code": pa.array([f"E01{i % 1000000:06d}" for i in range(rows)])}
    for i in range(9):
        columns[f"value_{i}"] = pa.array(rng.random(rows))
    table = pa.table(columns)
    store = Store(home)
    entry = store.commit(store.stage(name, table, {"notes": ["benchmark data"], "ingested_at": "bench"}))
    meta = {
        "name": name,
        "title": f"Benchmark table ({rows} rows, SYNTHETIC)",
        "description": "benchmark only",
        "publisher": "bench",
        "licence": "CC0-1.0",
        "attribution": "benchmark",
        "tier": "open",
        "synthetic": True,
        "geography": {"level": "lsoa", "code_column": "area_code"},
        "columns": [{"name": c, "type": "string" if c == "area_code" else "number"} for c in columns],
        "source": {},
    }
    (store.root / name / "metadata.yaml").write_text(yaml.safe_dump(meta))
    from commons_hub.isolation import hand_to_service_account

    hand_to_service_account(store.root / name)  # written as root: the data-api (service account) must read it
    return store.root / name / entry["file"]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _append(db_url: str, anchor: str, n: int, ready, go, times) -> None:
    from commons_hub.audit import AuditEvent, AuditLog
    from commons_hub.db import engine

    log = AuditLog(engine(db_url), anchor=Path(anchor))
    ready.release()
    go.wait()
    start = time.perf_counter()
    for i in range(n):
        log.append(AuditEvent(actor="bench", action="read", dataset="d", rows=i))
    times.put((start, time.perf_counter()))


def audit_throughput(tmp: Path, workers: int = 8, per_worker: int = 500) -> tuple[float, bool, int]:
    """Appends per second with ``workers`` processes appending at once to a SQLite log in ``tmp``."""
    return audit_throughput_at(f"sqlite:///{tmp / 'bench-audit.sqlite'}", tmp / "anchor", workers, per_worker)


def audit_throughput_at(db_url: str, anchor: Path, workers: int = 8, per_worker: int = 500) -> tuple[float, bool, int]:
    """Appends per second with ``workers`` processes appending at once to the log at ``db_url`` (any backend);
    their start-up is not timed. Returns (rate, chain ok, entries)."""
    from commons_hub.audit import AuditLog
    from commons_hub.db import dispose_all, engine

    engine(db_url)
    dispose_all()  # no pooled connection crosses into the children
    ctx = multiprocessing.get_context("spawn")
    ready, go, times = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_append, args=(db_url, str(anchor), per_worker, ready, go, times)) for _ in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    go.set()
    spans = [times.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    result = AuditLog(engine(db_url), anchor=anchor).verify()
    return workers * per_worker / elapsed, result.ok, result.entries


def audit_throughput_threads(tmp: Path, workers: int = 8, per_worker: int = 500) -> tuple[float, bool, int]:
    """The data-api's shape: one process, ``workers`` threads appending at once."""
    from commons_hub.audit import AuditEvent, AuditLog
    from commons_hub.db import engine

    log = AuditLog(engine(f"sqlite:///{tmp / 'bench-audit-threads.sqlite'}"), anchor=tmp / "anchor-threads")

    def work(_):
        for i in range(per_worker):
            log.append(AuditEvent(actor="bench", action="read", dataset="d", rows=i))

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))
    elapsed = time.perf_counter() - start
    result = log.verify()
    return workers * per_worker / elapsed, result.ok, result.entries


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-governed-"))
    home = tmp / "home"
    home.mkdir()
    hub = RunningHub(home, tmp / "hub.log")
    hub.start()
    try:
        big = add_bench_dataset(home, "bench_1m", 1_000_000)
        add_bench_dataset(home, "bench_1k", 1_000)
        from commons_kernel.client import DataApiClient

        # Kernels reach the data-api on its loopback address (COMMONS_DATA_API_URL, set by the spawner); scripts
        # outside may go through the public proxy. Both are measured; the first is the headline.
        kernel_path = DataApiClient(
            f"http://127.0.0.1:{hub.env['COMMONS_DATA_API_PORT']}/services/data-api/", hub.token("analyst1")
        )
        proxy_path = DataApiClient(f"{hub.url}/services/data-api/", hub.token("analyst1"))
        for client in (kernel_path, proxy_path):
            client.read_table("bench_1m")  # warm: metadata cache, token cache, page cache
        direct = timed(lambda: pq.read_table(big), 7)
        governed = timed(lambda: kernel_path.read_table("bench_1m"), 7)
        proxied = timed(lambda: proxy_path.read_table("bench_1m"), 7)
        d, g, p = statistics.median(direct), statistics.median(governed), statistics.median(proxied)
        print(
            f"[1] 1M x 10 read, medians of 7: direct pyarrow {d * 1000:.0f} ms, governed (kernel path) "
            f"{g * 1000:.0f} ms -> ratio {g / d:.2f} (goal <= 1.25)"
        )
        print(f"[1b] the same through the public proxy: {p * 1000:.0f} ms -> ratio {p / d:.2f}")

        session = requests.Session()
        headers = {"Authorization": f"token {hub.token('analyst1')}"}
        url = f"{hub.url}/services/data-api/api/datasets/bench_1k/data"
        health = f"{hub.url}/services/data-api/api/health"
        for _ in range(20):
            session.get(url, headers=headers)
        small = sorted(timed(lambda: session.get(url, headers=headers).raise_for_status(), 300))
        floor = sorted(timed(lambda: session.get(health).raise_for_status(), 300))
        p50, p95 = small[len(small) // 2], small[int(len(small) * 0.95)]
        f50 = floor[len(floor) // 2]
        print(
            f"[2] 1k-row read incl. audit write: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
            f"(goal p50 <= 15 ms); baseline health round trip p50 {f50 * 1000:.1f} ms -> ratio {p50 / f50:.1f}"
        )

        rate, ok, entries = audit_throughput(tmp)
        print(
            f"[3a] audit appends, 8 processes: {rate:.0f} entries/s, chain ok={ok}, entries={entries} of 4000 "
            f"(goal >= 1000/s, none lost)"
        )
        rate, ok, entries = audit_throughput_threads(tmp)
        print(
            f"[3c] audit appends, 8 threads of one process (the data-api's shape): {rate:.0f} entries/s, "
            f"chain ok={ok}, entries={entries} of 4000"
        )
        per_thread = 100

        def reader(_):
            s = requests.Session()
            for _ in range(per_thread):
                s.get(url, headers=headers).raise_for_status()

        before = sum(1 for _ in hub_audit(hub))
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(reader, range(8)))
        elapsed = time.perf_counter() - start
        after = sum(1 for _ in hub_audit(hub))
        print(
            f"[3b] HTTP reads, 8 concurrent clients: {8 * per_thread / elapsed:.0f} reads/s end to end; "
            f"audit entries added {after - before} of {8 * per_thread}"
        )

        spawns = []
        for _ in range(3):
            spawns.append(hub.spawn("analyst2"))
            hub.stop_server("analyst2")
        print(
            f"[4] user server ready after spawn: p50 {statistics.median(spawns):.1f} s "
            f"(runs {', '.join(f'{s:.1f}' for s in spawns)}; goal <= 4 s)"
        )
    finally:
        hub.stop()


def hub_audit(hub):
    import os

    os.environ["COMMONS_HOME"] = str(hub.home)
    from commons_hub.audit import AuditLog
    from commons_hub.db import engine

    return AuditLog(engine(f"sqlite:///{hub.home / 'governance.sqlite'}"), anchor=hub.home / "audit.anchor").entries()


if __name__ == "__main__":
    if "--audit-only" in sys.argv:
        folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
        rate, ok, entries = audit_throughput(folder)
        print(f"[3a] audit appends, 8 processes: {rate:.0f} entries/s, chain ok={ok}, entries={entries} of 4000")
        rate, ok, entries = audit_throughput_threads(folder)
        print(
            f"[3c] audit appends, 8 threads of one process: {rate:.0f} entries/s, chain ok={ok}, "
            f"entries={entries} of 4000"
        )
    else:
        main()
