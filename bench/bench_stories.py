"""Benchmark the stories: full refresh of every story × place, a no-op refresh, static pages, Voilà first render.

Starts a real hub (as the integration tests do) on a temporary state directory, then measures, in this run:
- full refresh of all stories for all their places (goal ≤ 180 s on 2 cores), and per place;
- a no-op refresh (inputs unchanged: every story skipped; goal ≤ 5 s);
- a static story page through the hub's proxy: p50 and p95 of --requests GETs (goal p50 ≤ 30 ms);
- Voilà first render of a story app with a preheated kernel against a cold one (a theme the pool was not heated
  for makes Voilà start a fresh kernel), median of --renders each (goal ≤ 1.5 s and ≤ 0.4× cold).

    .venv/bin/python bench/bench_stories.py [--requests N] [--renders N] [--only SLUG]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["COMMONS_STORIES_REFRESH_ON_START"] = "false"

from tests.integration.hubfixture import RunningHub  # noqa: E402


def refresher_for(hub):
    os.environ.update({k: v for k, v in hub.env.items() if k.startswith("COMMONS_")})
    from commons_hub.services.refresher.service import quiet_papermill
    from commons_hub.stories.inputs import DataApiInputs
    from commons_hub.stories.runner import Refresher

    quiet_papermill()
    token = hub.secrets["stories_token"]
    return Refresher(DataApiInputs(token, hub.url), token, hub.url, home=hub.home, workers=2)


def wait_for_pool(hub, slug: str, timeout: float = 120) -> None:
    """Wait until the service has heated a kernel for the story's current snapshot (it logs it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f"Kernel pool of {slug}/app.ipynb is filled" in hub.log_path.read_text(errors="replace"):
            time.sleep(3)
            return
        time.sleep(0.5)
    raise TimeoutError(f"no preheated kernel for {slug}")


def timed_get(url: str, session: requests.Session | None = None) -> float:
    started = time.perf_counter()
    response = (session or requests).get(url, timeout=180)
    response.raise_for_status()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--renders", type=int, default=3)
    parser.add_argument("--only", action="append", help="only these stories (default: all)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-stories-"))
    hub = RunningHub(home, home / "hub.log").start()
    results: dict = {}
    try:
        from commons_hub.stories.model import discover

        stories = [s for s in discover() if not args.only or s.slug in args.only]
        refresher = refresher_for(hub)
        started = time.perf_counter()
        for story in stories:
            result = refresher.refresh(story, force=True)
            if result.status != "published":
                raise SystemExit(f"{story.slug}: {result.status}: {result.error}")
            results[story.slug] = {"places": result.places, "seconds": round(result.seconds, 1),
                                   "per_place": round(result.seconds / result.places, 3)}
            print(f"{story.slug}: {result.places} places in {result.seconds:.1f} s", flush=True)
        full = time.perf_counter() - started
        places = sum(r["places"] for r in results.values())
        started = time.perf_counter()
        skipped = refresher.refresh_many(stories)
        noop = time.perf_counter() - started
        assert all(r.status == "skipped" for r in skipped), skipped

        session = requests.Session()
        first = stories[0]
        code = json.loads((hub.public_dir / "stories" / "published" / first.slug / "story.json").read_text())["places"][0]
        page = f"{hub.url}/services/stories/{first.slug}/pages/{code['code']}.html"
        timed_get(page, session)
        page_times = sorted(timed_get(page, session) for _ in range(args.requests))

        app = f"{hub.url}/services/stories/voila/render/{first.slug}/app.ipynb?{first.parameter.name}={code['code']}"
        preheated, cold = [], []
        for _ in range(args.renders):
            wait_for_pool(hub, first.slug)
            preheated.append(timed_get(app))
            cold.append(timed_get(app + "&voila-theme=dark"))
            time.sleep(15)          # let the pool refill before the next preheated render
        warm, slow = statistics.median(preheated), statistics.median(cold)
        report = {
            "stories": results, "places": places, "full_refresh_s": round(full, 1),
            "noop_refresh_s": round(noop, 2),
            "static_page_ms": {"p50": round(1000 * page_times[len(page_times) // 2], 1),
                               "p95": round(1000 * page_times[int(len(page_times) * 0.95)], 1),
                               "bytes": len(session.get(page).content)},
            "voila_first_render_s": {"preheated": round(warm, 2), "cold": round(slow, 2),
                                     "ratio": round(warm / slow, 2)},
            "cores": os.cpu_count(),
        }
        print(json.dumps(report, indent=2))
        ok = full <= 180 and noop <= 5 and report["static_page_ms"]["p50"] <= 30 and warm <= 1.5 \
            and warm / slow <= 0.4
        print("goals met" if ok else "goals NOT met (see above)")
        return 0
    finally:
        hub.stop()


if __name__ == "__main__":
    sys.exit(main())
