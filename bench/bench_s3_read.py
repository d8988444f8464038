"""Governed read of 1M rows x 10 columns from the S3 store vs a direct s3fs + pyarrow read of the same object.

Both in the same run, against the same S3-compatible server (moto's server mode on loopback, signatures checked):
- governed: a kernel's path, token -> data-api (decide, sha256 of the stored bytes, audit) -> Arrow IPC stream;
- direct: s3fs with the data-api's own key, ``pq.read_table`` of the version's Parquet object (what a script
  holding the bucket's key would do), and, for reference, of its Arrow copy (the object the data-api serves).
Goal: governed / direct Parquet <= 1.25. Medians of 7 after one warm-up read each.

Run: .venv/bin/python bench/bench_s3_read.py   (starts its own S3 server and hub on free loopback ports)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.ipc as ipc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_governed_read import add_bench_dataset, timed  # noqa: E402
from tests.integration.hubfixture import RunningHub  # noqa: E402
from tests.s3_server import ThrowawayS3  # noqa: E402

NAME = "bench_1m"


def main() -> None:
    s3 = ThrowawayS3(bucket="commons-bench").start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    home = tmp / "home"
    home.mkdir()
    settings = {
        **s3.environment("bench"),
        "COMMONS_S3_READ_CREDENTIALS_FILE": str(s3.read_credentials_file(home / "s3-read.ini")),
    }
    os.environ.update(settings)  # the bench's own writes (the dataset below) go to the bucket too
    hub = RunningHub(home, tmp / "hub.log")
    hub.env.update(settings)
    try:
        hub.start()
        start = time.perf_counter()
        add_bench_dataset(home, NAME, 1_000_000)
        print(f"[setup] 1M x 10 written to s3://{s3.bucket}/bench/{NAME}/ in {time.perf_counter() - start:.1f} s")
        import s3fs

        from commons_hub.store import Store
        from commons_kernel.client import DataApiClient

        entry = Store(home).version_entry(NAME)
        fs = s3fs.S3FileSystem(endpoint_url=s3.endpoint, key=s3.key, secret=s3.secret, skip_instance_cache=True)
        parquet_key = f"{s3.bucket}/bench/{NAME}/{entry['file']}"
        arrow_key = parquet_key.removesuffix(".parquet") + ".arrow"

        def direct_parquet():
            with fs.open(parquet_key, "rb") as handle:
                return pq.read_table(handle)

        def direct_arrow():
            with fs.open(arrow_key, "rb", block_size=16 << 20) as handle:
                return ipc.open_stream(handle).read_all()

        client = DataApiClient(
            f"http://127.0.0.1:{hub.env['COMMONS_DATA_API_PORT']}/services/data-api/", hub.token("analyst1")
        )
        for fn in (direct_parquet, direct_arrow, lambda: client.read_table(NAME)[0]):
            assert fn().num_rows == 1_000_000  # warm-up, and the same table each way
        direct = statistics.median(timed(direct_parquet, 7))
        direct_ipc = statistics.median(timed(direct_arrow, 7))
        governed = statistics.median(timed(lambda: client.read_table(NAME), 7))
        print(
            f"[s3] 1M x 10 from S3, medians of 7: direct s3fs + pyarrow (Parquet object, "
            f"{entry.get('bytes', 0) / 1e6:.0f} MB) {direct * 1000:.0f} ms; direct s3fs + pyarrow (its Arrow copy) "
            f"{direct_ipc * 1000:.0f} ms; governed (kernel path: decide, sha256, audit, stream) "
            f"{governed * 1000:.0f} ms"
        )
        print(
            f"[s3] ratio governed / direct Parquet {governed / direct:.2f} (goal <= 1.25); "
            f"governed / direct Arrow copy {governed / direct_ipc:.2f}"
        )
    finally:
        hub.stop()
        s3.stop()


if __name__ == "__main__":
    main()
