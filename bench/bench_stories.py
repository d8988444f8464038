"""Benchmark the stories: full refresh of every story × place, a no-op refresh, static pages, Voilà first render,
and the time to the first chart in Chromium.

Starts a real hub (as the integration tests do) on a temporary state directory, then measures, in this run:
- full refresh of all stories for all their places (goal ≤ 180 s on 2 cores), and per place;
- a no-op refresh (inputs unchanged: every story skipped; goal ≤ 5 s);
- a static story page through the hub's proxy: p50 and p95 of --requests GETs (goal p50 ≤ 30 ms);
- Voilà's HTML response for a story app with a preheated kernel against a cold one (a theme the pool was not
  heated for makes Voilà start a fresh kernel), median of --renders each (goal ≤ 1.5 s and ≤ 0.4× cold). This
  times the HTML only: a page whose widgets then fail ("model not found") is fast here too;
- in Chromium (what a resident sees): navigation start to the first visible chart, for the static page (the
  baseline, measured in this run) and for each story's live app with a preheated kernel, --browser-loads loads
  in all; then, after --quiet seconds without visitors, each app once more. p50, p95, the success rate (live
  app, chart drawn, no widget error) and the ratio app / static page (goal p50 ≤ 2 s preheated, every load).

    .venv/bin/python bench/bench_stories.py [--requests N] [--renders N] [--browser-loads N] [--quiet S]
                                            [--only SLUG] [--chromium-only]
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
    from commons_hub.publishing.runner import Refresher
    from commons_hub.services.refresher.service import quiet_papermill
    from commons_kernel.stories.inputs import DataApiInputs

    quiet_papermill()
    token = hub.secrets["stories_token"]
    return Refresher(DataApiInputs(token, hub.url), token, hub.url, home=hub.home, workers=2)


def wait_for_pool(hub, slug: str, timeout: float = 300) -> None:
    """Wait until the service holds a heated kernel for the story: one started for it that has run the app up to
    the wait for its visitor (it then connects to voila/query/<kernel>, which the service logs) and that no
    visitor has taken yet."""
    started = re.compile(rf"story kernel ([0-9a-f-]{{36}}) started for {re.escape(slug)} ")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = hub.log_path.read_text(errors="replace")
        for kernel in started.findall(log):
            if f"voila/query/{kernel}" in log and f"Using pre-heated kernel: {kernel}" not in log:
                return
        time.sleep(0.5)
    raise TimeoutError(f"no preheated kernel for {slug} within {timeout} s")


def timed_get(url: str, session: requests.Session | None = None) -> float:
    started = time.perf_counter()
    response = (session or requests).get(url, timeout=180)
    response.raise_for_status()
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def chart_times(hub, stories, static_page: str, loads: int, quiet: float) -> dict:
    """Navigation start to the first visible chart in Chromium: static page (baseline), then the live apps."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import chromium_launch_args
    from tests.browser.story_app_page import load_app, load_static_page

    apps = {}
    for story in stories:
        info = json.loads((hub.public_dir / "stories" / "published" / story.slug / "story.json").read_text())
        place = info["places"][0]["code"]
        apps[story.slug] = f"{hub.url}/services/stories/{story.slug}/app?{info['parameter']}={place}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_args())
        context = browser.new_context(viewport={"width": 390, "height": 844})
        try:
            static = [load_static_page(context, static_page) for _ in range(5)]
            preheated = []
            while len(preheated) < loads:
                for slug, url in apps.items():
                    if len(preheated) < loads:
                        wait_for_pool(hub, slug)  # the kernel the last visit took is replaced and heated
                        preheated.append(load_app(context, url))
                        print(f"preheated: {preheated[-1].describe()}", flush=True)
            after_quiet = []
            if quiet:
                print(f"no visitors for {quiet:.0f} s ...", flush=True)
                time.sleep(quiet)
                after_quiet = [load_app(context, url) for url in apps.values()]
                for load in after_quiet:
                    print(f"after quiet: {load.describe()}", flush=True)
        finally:
            context.close()
            browser.close()
    base = statistics.median(s.chart_ms for s in static if s.chart_ms is not None) / 1000
    drawn = [load.chart_ms / 1000 for load in preheated if load.rendered]
    everything = preheated + after_quiet
    report = {
        "static_page_chart_s": round(base, 2),
        "app_chart_s": {
            "p50": round(statistics.median(drawn), 2) if drawn else None,
            "p95": round(percentile(drawn, 0.95), 2) if drawn else None,
            "loads": len(preheated),
        },
        "after_quiet_chart_s": [round(load.chart_ms / 1000, 2) if load.rendered else None for load in after_quiet],
        "quiet_s": quiet,
        "success": f"{sum(load.rendered for load in everything)}/{len(everything)}",
        "success_rate": round(sum(load.rendered for load in everything) / len(everything), 3),
    }
    report["ratio_app_to_static"] = round(report["app_chart_s"]["p50"] / base, 2) if drawn else None
    return report


def chromium_only(hub, stories, args) -> int:
    import subprocess

    for story in stories:  # as the browser tests publish: the CLI, into the public folder the service reads
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "commons_hub.cli",
                "stories",
                "refresh",
                story.slug,
                "--place",
                story.parameter.example,
            ],
            env=hub.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode:
            raise SystemExit(f"{story.slug}: {result.stdout}\n{result.stderr}")
    first = stories[0]
    page = f"{hub.url}/services/stories/{first.slug}/pages/{first.parameter.example}.html"
    report = {
        "chromium_first_chart": chart_times(hub, stories, page, args.browser_loads, args.quiet),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(report, indent=2))
    chart = report["chromium_first_chart"]
    ok = chart["success_rate"] == 1 and (chart["app_chart_s"]["p50"] or 99) <= 2
    print("goals met" if ok else "goals NOT met (see above)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--renders", type=int, default=3)
    parser.add_argument("--browser-loads", type=int, default=12, help="preheated app loads in Chromium, in all")
    parser.add_argument("--quiet", type=float, default=150, help="seconds without visitors before the last loads")
    parser.add_argument("--only", action="append", help="only these stories (default: all)")
    parser.add_argument(
        "--chromium-only",
        action="store_true",
        help="publish each story for its example place and measure only the first chart in Chromium",
    )
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-stories-"))
    hub = RunningHub(home, home / "hub.log").start()
    results: dict = {}
    try:
        from commons_kernel.stories.model import discover

        stories = [s for s in discover() if not args.only or s.slug in args.only]
        if args.chromium_only:
            return chromium_only(hub, stories, args)
        refresher = refresher_for(hub)
        started = time.perf_counter()
        for story in stories:
            result = refresher.refresh(story, force=True)
            if result.status != "published":
                raise SystemExit(f"{story.slug}: {result.status}: {result.error}")
            results[story.slug] = {
                "places": result.places,
                "seconds": round(result.seconds, 1),
                "per_place": round(result.seconds / result.places, 3),
            }
            print(f"{story.slug}: {result.places} places in {result.seconds:.1f} s", flush=True)
        full = time.perf_counter() - started
        places = sum(r["places"] for r in results.values())
        started = time.perf_counter()
        skipped = refresher.refresh_many(stories)
        noop = time.perf_counter() - started
        assert all(r.status == "skipped" for r in skipped), skipped

        session = requests.Session()
        first = stories[0]
        info = json.loads((hub.public_dir / "stories" / "published" / first.slug / "story.json").read_text())
        code = info["places"][0]
        page = f"{hub.url}/services/stories/{first.slug}/pages/{code['code']}.html"
        timed_get(page, session)
        page_times = sorted(timed_get(page, session) for _ in range(args.requests))

        app = f"{hub.url}/services/stories/voila/render/{first.slug}/app.ipynb?{first.parameter.name}={code['code']}"
        preheated, cold = [], []
        for _ in range(args.renders):
            wait_for_pool(hub, first.slug)
            preheated.append(timed_get(app))
            cold.append(timed_get(app + "&voila-theme=dark"))
        warm, slow = statistics.median(preheated), statistics.median(cold)
        report = {
            "stories": results,
            "places": places,
            "full_refresh_s": round(full, 1),
            "noop_refresh_s": round(noop, 2),
            "static_page_ms": {
                "p50": round(1000 * page_times[len(page_times) // 2], 1),
                "p95": round(1000 * page_times[int(len(page_times) * 0.95)], 1),
                "bytes": len(session.get(page).content),
            },
            "voila_html_response_s": {
                "preheated": round(warm, 2),
                "cold": round(slow, 2),
                "ratio": round(warm / slow, 2),
            },
            "chromium_first_chart": chart_times(hub, stories, page, args.browser_loads, args.quiet),
            "cores": os.cpu_count(),
            "load_average": os.getloadavg()[0],
        }
        print(json.dumps(report, indent=2))
        chart = report["chromium_first_chart"]
        ok = (
            full <= 180
            and noop <= 5
            and report["static_page_ms"]["p50"] <= 30
            and warm <= 1.5
            and warm / slow <= 0.4
            and chart["success_rate"] == 1
            and (chart["app_chart_s"]["p50"] or 99) <= 2
        )
        print("goals met" if ok else "goals NOT met (see above)")
        return 0
    finally:
        hub.stop()


if __name__ == "__main__":
    sys.exit(main())
