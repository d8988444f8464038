"""Governed Dask read benchmark: the gate's overhead on a distributed read, against baselines in the same run.

10M synthetic rows (an area code of 1,000 values and three numbers), one Parquet file of ~10 row groups, then
``groupby(area_code)`` mean and count:

1. governed Dask: ``ck.read_dask`` on 2 local workers of a Dask Gateway cluster (each partition a read of
   ``part=I/N`` through the data-api with the analyst's token, decided and audited), then the groupby;
2. Dask reading the same Parquet directly on the same 2 workers (``dd.read_parquet`` of a copy the workers may
   read; and one task per row group) -> ratio 1 / 2 (goal <= 1.25); and the same parts cut directly from a copy
   of the store's uncompressed Arrow file, which the data-api serves parts from: that ratio is the gate alone;
3. in one process ("one kernel"): pandas (``pd.read_parquet`` + groupby), DuckDB (SQL over the file), and the
   governed pandas read (``ck.read`` + groupby).

Run: .venv/bin/python bench/bench_dask_read.py [--rows N]   (starts its own hub and gateway on loopback; each method
runs 5 times, in turn, and its median is reported)
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.hubfixture import RunningHub, free_port  # noqa: E402

NAME = "bench_10m"
REPEAT = 5


def add_dataset(home: Path, rows: int) -> Path:
    """A synthetic open dataset written straight into the store (as the service account's, when isolated)."""
    os.environ["COMMONS_HOME"] = str(home)
    from commons_hub import isolation
    from commons_hub.store import Store

    rng = np.random.default_rng(12)
    codes = pa.array([f"E01{i:06d}" for i in range(6000, 7000)])
    table = pa.table(
        {
            "area_code": pc.take(codes, pa.array(rng.integers(0, len(codes), rows))),
            **{f"value_{i}": pa.array(rng.random(rows)) for i in range(3)},
        }
    )
    store = Store(home)
    entry = store.commit(store.stage(NAME, table, {"notes": ["benchmark data"], "ingested_at": "bench"}))
    meta = {
        "name": NAME,
        "title": f"Benchmark table ({rows} rows, SYNTHETIC)",
        "description": "benchmark only",
        "publisher": "bench",
        "licence": "CC0-1.0",
        "attribution": "benchmark",
        "tier": "open",
        "synthetic": True,
        "geography": {"level": "lsoa", "code_column": "area_code"},
        "columns": [{"name": c, "type": "string" if c == "area_code" else "number"} for c in table.column_names],
        "source": {},
    }
    (store.root / NAME / "metadata.yaml").write_text(yaml.safe_dump(meta))
    if os.geteuid() == 0 and isolation.active():
        account = isolation.ensure_account(os.environ.get("COMMONS_SERVICE_USER", "commons"))
        isolation.chown_tree(store.root / NAME, account.pw_uid, account.pw_gid)
    return store.root / NAME / entry["file"]


def interleaved(fns: dict, repeat: int = REPEAT) -> dict:
    """Median seconds of each of ``fns``, run in turn round after round (a shared machine's load then falls on
    all of them alike): {name: (median, runs, last result)}."""
    runs = {name: [] for name in fns}
    results = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            results[name] = fn()
            runs[name].append(time.perf_counter() - start)
    return {name: (statistics.median(runs[name]), runs[name], results[name]) for name in fns}


def groupby(frame):
    grouped = frame.groupby("area_code")
    return grouped["value_0"].mean(), grouped["value_1"].count()


def main(rows: int) -> None:
    import tempfile

    hub = RunningHub.in_temporary_home(Path(tempfile.gettempdir()) / "bench-dask-hub.log")
    hub.env.update(COMMONS_DASK_GATEWAY_PORT=str(free_port()), COMMONS_DASK_SCHEDULER_PORT=str(free_port()))
    direct_dir = Path(tempfile.mkdtemp(prefix="bench-dask-direct-"))
    hub.start()
    try:
        made = time.perf_counter()
        stored = add_dataset(hub.home, rows)
        direct = direct_dir / "bench_10m.parquet"  # a copy the workers may read (the store is closed to them)
        shutil.copyfile(stored, direct)
        arrow_copy = direct.with_suffix(".arrow")  # and of the store's uncompressed Arrow copy
        shutil.copyfile(stored.with_suffix(".arrow"), arrow_copy)
        os.chmod(direct_dir, 0o755)
        os.chmod(direct, 0o644)
        os.chmod(arrow_copy, 0o644)
        import pyarrow.parquet as pq

        groups = pq.ParquetFile(direct).metadata.num_row_groups
        print(
            f"[0] {rows:,} rows, {direct.stat().st_size / 1e6:.0f} MB Parquet, {groups} row groups "
            f"(made in {time.perf_counter() - made:.1f} s)"
        )

        token = hub.token("analyst1")
        os.environ.update(
            COMMONS_API_TOKEN=token,
            COMMONS_HUB_URL=hub.url,
            COMMONS_DATA_API_URL=f"http://127.0.0.1:{hub.env['COMMONS_DATA_API_PORT']}/services/data-api/",
        )
        os.environ.pop("JUPYTERHUB_API_TOKEN", None)
        import dask.dataframe as dd
        from dask_gateway import Gateway, JupyterHubAuth

        import commons_kernel as ck

        ck.reset_client()
        gateway = Gateway(
            address=f"http://127.0.0.1:{hub.env['COMMONS_DASK_GATEWAY_PORT']}/services/dask-gateway",
            proxy_address=f"gateway://127.0.0.1:{hub.env['COMMONS_DASK_SCHEDULER_PORT']}",
            auth=JupyterHubAuth(api_token=token),
        )
        started = time.perf_counter()
        cluster = gateway.new_cluster(workers=2)
        cluster.scale(2)
        client = cluster.get_client()
        client.wait_for_workers(2, timeout=120)
        print(f"[0b] cluster of 2 workers ready in {time.perf_counter() - started:.1f} s")
        try:

            def governed():
                mean, count = groupby(ck.read_dask(NAME))
                return dd.compute(mean, count)

            def dask_direct():
                return dd.compute(*groupby(dd.read_parquet(str(direct))))

            def dask_row_groups():
                def read_group(index, path=str(direct)):
                    import pyarrow.parquet as pq

                    return pq.ParquetFile(path).read_row_group(index).to_pandas()

                return dd.compute(*groupby(dd.from_map(read_group, range(groups))))

            def dask_arrow_parts():
                def read_part(index, path=str(arrow_copy), parts=groups, total=rows):
                    import pyarrow as pa
                    import pyarrow.ipc as ipc

                    start, stop = total * index // parts, total * (index + 1) // parts
                    table = ipc.open_stream(pa.memory_map(path)).read_all()
                    return table.slice(start, stop - start).to_pandas()

                return dd.compute(*groupby(dd.from_map(read_part, range(groups))))

            governed()  # warm: imports on the workers, page cache, token and metadata caches
            dask_direct()
            timed = interleaved(
                {"governed": governed, "direct": dask_direct, "row_groups": dask_row_groups, "arrow": dask_arrow_parts}
            )
            (g, g_runs, g_result), (d, d_runs, d_result) = timed["governed"], timed["direct"]
            (r, r_runs, _), (a, a_runs, _) = timed["row_groups"], timed["arrow"]
            assert int(g_result[1].sum()) == int(d_result[1].sum()) == rows, "the reads disagree"
            assert np.allclose(g_result[0].sort_index().to_numpy(), d_result[0].sort_index().to_numpy())
            print(f"[1] governed Dask read + groupby, 2 workers: median {g:.2f} s (runs {_runs(g_runs)})")
            print(
                f"[2] Dask read_parquet of the same file + groupby, same workers: median {d:.2f} s "
                f"(runs {_runs(d_runs)}) -> ratio {g / d:.2f} (goal <= 1.25)"
            )
            print(
                f"[2b] Dask, one task per row group (the governed read's shape, no gate): median {r:.2f} s "
                f"(runs {_runs(r_runs)}) -> ratio {g / r:.2f}"
            )
            print(
                f"[2c] Dask, the same parts cut from the Arrow copy directly (the gate alone: HTTP, decision, "
                f"audit): median {a:.2f} s (runs {_runs(a_runs)}) -> ratio {g / a:.2f}"
            )
        finally:
            cluster.shutdown()

        import duckdb
        import pandas as pd

        con = duckdb.connect()
        sql = f"SELECT area_code, avg(value_0), count(value_1) FROM read_parquet('{direct}') GROUP BY area_code"
        local = interleaved(
            {
                "pandas": lambda: [s.to_numpy() for s in groupby(pd.read_parquet(direct))],
                "duckdb": lambda: con.execute(sql).fetchall(),
                "ck.read": lambda: [s.to_numpy() for s in groupby(ck.read(NAME))],
            }
        )
        (p, p_runs, _), (k, k_runs, _), (c, c_runs, _) = local["pandas"], local["duckdb"], local["ck.read"]
        print(
            f"[3] one process: pandas read_parquet + groupby {p:.2f} s (runs {_runs(p_runs)}); DuckDB "
            f"{k:.2f} s (runs {_runs(k_runs)}); governed pandas ck.read + groupby {c:.2f} s (runs {_runs(c_runs)})"
        )
        print(f"    governed Dask / pandas {g / p:.2f}, / DuckDB {g / k:.2f}; ck.read / pandas {c / p:.2f}")
        audited = _part_reads(hub)
        print(f"[4] audit: {audited} partition reads of {NAME} recorded under analyst1")
    finally:
        hub.stop()
        hub.remove_home()
        shutil.rmtree(direct_dir, ignore_errors=True)


def _runs(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _part_reads(hub) -> int:
    import json
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "tail", "-n", "100000", "--json"],
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
    )
    entries = json.loads(result.stdout)
    return sum(
        1
        for e in entries
        if e["dataset"] == NAME
        and e["actor"] == "analyst1"
        and e["action"] == "read"
        and "part" in (json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"] or {})
    )


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 10_000_000
    main(count)
