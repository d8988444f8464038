"""Other members' reads while the worst upload the limits allow is being checked, against idle, in the same run.

1. p50 / p95 of a small governed read (1k rows, audit write included) by analyst1 with nothing else going on,
   then while analyst2 uploads, back to back, the heaviest table the limits let through to the full checks: a
   tall CSV of upload_max_cells cells (3 columns; per-row costs dominate the checks). Goal: p95 ratio <= 2.
2. The overhead of the checks' budget (a forkserver child with RLIMIT_AS and a timeout): check_upload with
   and without it, for a small file and a 200k-row file.

Run: .venv/bin/python bench/bench_upload_contention.py   (starts its own hub on free loopback ports)
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_governed_read import add_bench_dataset  # noqa: E402

from tests.integration.hubfixture import RunningHub  # noqa: E402

METADATA = yaml.safe_load((ROOT / "tests" / "fixtures" / "bad_uploads" / "metadata.yaml").read_text())
PHASE_SECONDS = 30


def tall_csv(cells: int) -> bytes:
    """ward22_code, month, visits: ``cells`` cells of plausible values (the checks run in full on them)."""
    codes = [f"E0500{i:04d}" for i in range(910, 1000)]
    rows = [f"{codes[i % 90]},2022-{i % 12 + 1:02d},{i % 500 + 10}" for i in range(cells // 3)]
    return ("ward22_code,month,visits\n" + "\n".join(rows) + "\n").encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def reads_while(client, keep_going) -> list[float]:
    out = []
    while keep_going():
        started = time.perf_counter()
        client.read_table("bench_1k")
        out.append(time.perf_counter() - started)
        time.sleep(0.05)  # a member working, not a flood
    return out


def budget_overhead() -> None:
    from commons_kernel.upload_checks import check_upload

    small = (ROOT / "tests" / "fixtures" / "bad_uploads" / "good.csv").read_bytes()
    medium = tall_csv(600_000)
    for label, data, repeat in (("good.csv (3 rows)", small, 7), ("200k rows x 3", medium, 3)):
        timings = {}
        for budget in (False, True):
            check_upload(data, "x.csv", "open", metadata=METADATA, raise_on_block=False, budget=budget)  # warm
            runs = []
            for _ in range(repeat):
                started = time.perf_counter()
                check_upload(data, "x.csv", "open", metadata=METADATA, raise_on_block=False, budget=budget)
                runs.append(time.perf_counter() - started)
            timings[budget] = statistics.median(runs)
        print(
            f"[2] checks of {label}: in-process {timings[False] * 1000:.0f} ms, in the budgeted child "
            f"{timings[True] * 1000:.0f} ms -> overhead {(timings[True] - timings[False]) * 1000:+.0f} ms"
        )


def main() -> None:
    from commons_kernel.config import setting

    tmp = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    home = tmp / "home"
    home.mkdir()
    hub = RunningHub(home, tmp / "hub.log")
    hub.start()
    try:
        add_bench_dataset(home, "bench_1k", 1_000)
        from commons_kernel.client import DataApiClient

        reader = DataApiClient(
            f"http://127.0.0.1:{hub.env['COMMONS_DATA_API_PORT']}/services/data-api/", hub.token("analyst1")
        )
        upload_headers = {"Authorization": f"token {hub.token('analyst2')}"}
        requests.get(f"{hub.url}/services/data-api/api/contributions/limits", headers=upload_headers, timeout=30)
        for _ in range(5):
            reader.read_table("bench_1k")  # warm: token cache, metadata, page cache
        data = tall_csv(setting("upload_max_cells"))

        stop_at = time.monotonic() + PHASE_SECONDS
        idle = reads_while(reader, lambda: time.monotonic() < stop_at)

        uploading = threading.Event()
        results = []

        def upload_loop():
            while time.monotonic() < stop_at:
                uploading.set()
                started = time.perf_counter()
                response = requests.post(
                    f"{hub.url}/services/data-api/api/contributions",
                    headers=upload_headers,
                    files={"file": ("tall.csv", data)},
                    timeout=600,
                    data={
                        "metadata": json.dumps({**METADATA, "name": f"bench_tall_{len(results)}"}),
                        "name": f"bench_tall_{len(results)}",
                    },
                )
                results.append(
                    (
                        response.status_code,
                        time.perf_counter() - started,
                        [e["code"] for e in (response.json().get("report") or {}).get("errors", [])][:3],
                    )
                )
            uploading.clear()

        stop_at = time.monotonic() + PHASE_SECONDS
        uploader = threading.Thread(target=upload_loop)
        uploader.start()
        uploading.wait()
        busy = reads_while(reader, lambda: uploading.is_set())
        uploader.join()

        i50, i95 = percentile(idle, 0.5), percentile(idle, 0.95)
        b50, b95 = percentile(busy, 0.5), percentile(busy, 0.95)
        print(
            f"[1] upload at the limits: {len(data):,} bytes, {setting('upload_max_cells'):,} cells; "
            f"{len(results)} uploads: " + ", ".join(f"HTTP {s} in {t:.1f} s {codes}" for s, t, codes in results)
        )
        print(f"[1] 1k-row governed read, idle: p50 {i50 * 1000:.0f} ms, p95 {i95 * 1000:.0f} ms ({len(idle)} reads)")
        print(f"[1] during the upload:       p50 {b50 * 1000:.0f} ms, p95 {b95 * 1000:.0f} ms ({len(busy)} reads)")
        print(f"[1] p95 ratio {b95 / i95:.2f} (goal <= 2.0); p50 ratio {b50 / i50:.2f}")
    finally:
        hub.stop()
    budget_overhead()


if __name__ == "__main__":
    main()
