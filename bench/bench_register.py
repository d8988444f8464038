"""The public register with 100,000 audit entries (SQLite, the default): filtered and paged pages vs the unfiltered
first page, measured in the same run.

Pages served by the register's own app over HTTP on loopback (bench_audit_backends.page_p50), the log filled with
real chained entries (bench_audit_backends.fill: reads of 4 datasets over a year, a third without a project, one
in 20 a denial). Printed: p50 in ms of each page and its ratio to the unfiltered uses page (goal: a filtered page
no slower than the unfiltered one, ratio <= 1.0; a deep audit page within 2x of the first), and the time of the
full CSV downloads (every use group; every one of the 100,000 entries).

Run: .venv/bin/python bench/bench_register.py   (~1 minute)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_audit_backends import ENTRIES, fill, page_p50  # noqa: E402

BASELINE = "uses"
PAGES = (
    BASELINE,  # unfiltered first page
    "uses?dataset=synthetic_referrals",
    "uses?dataset=synthetic_referrals&project=early-help-demand&from=2026-03-01&to=2026-05-31",
    "uses?from=2026-06-01&to=2026-06-30",
    "uses?per_page=10&page=5",
    "audit",  # chain head + newest 100 entries
    "audit?page=900",  # entries 10,001-9,901 from the oldest
    "audit?action=deny&dataset=imd2019_lsoa11",
)
DOWNLOADS = ("uses.csv", "uses.csv?dataset=synthetic_referrals", "audit.csv", "audit.json?action=deny")


def download_seconds(db_url: str, home: Path) -> dict[str, float]:
    """Wall time (s) and size of each full download, once (they stream every matching row)."""
    times = page_p50(db_url, home, DOWNLOADS, runs=1)
    return {k: round(v / 1000, 2) for k, v in times.items() if "(first)" not in k}


def main() -> None:
    from commons_hub.db import dispose_all

    tmp = Path(tempfile.mkdtemp(prefix="bench-register-"))
    home = tmp / "home"
    home.mkdir()
    os.environ["COMMONS_HOME"] = str(home)
    url = f"sqlite:///{tmp / 'register.sqlite'}"
    t0 = time.perf_counter()
    fill(url, home / "audit.anchor", ENTRIES)
    print(f"{ENTRIES} entries written in {time.perf_counter() - t0:.1f} s", flush=True)
    try:
        p50 = {k: v for k, v in page_p50(url, home, PAGES).items() if "(first)" not in k}
        downloads = download_seconds(url, home)
    finally:
        dispose_all()
    base = p50[BASELINE]
    for page, ms in p50.items():
        print(f"{page:<90} p50 {ms:8.1f} ms   ratio vs unfiltered uses {ms / base:5.2f}")
    for name, seconds in downloads.items():
        print(f"download {name:<81} {seconds:8.2f} s")
    print(
        json.dumps(
            {
                "entries": ENTRIES,
                "p50_ms": {k: round(v, 1) for k, v in p50.items()},
                "ratio_vs_unfiltered_uses": {k: round(v / base, 2) for k, v in p50.items()},
                "download_s": downloads,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
