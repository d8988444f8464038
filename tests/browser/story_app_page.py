"""Open live story apps in Chromium and time their first chart: used by tests/browser/test_story_apps_render.py
and bench/bench_stories.py.

A load counts as rendered when it is the live app (header ``X-Commons-Live: app``, not the busy page), a plotly
chart (``.main-svg``, in the page or in one of the app's figure frames) is visible with a size, and the page shows
no widget error. The time is the page's own clock: milliseconds from navigation start (``performance.now()``) to
the first animation frame in which the chart is visible. A script added before the page loads watches every frame
and keeps the first chart's time (or the first widget error), so several pages can load at once and be read after.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

WIDGET_ERRORS = ("Error displaying widget", "model not found")

WATCH_FIRST_CHART = """(() => {
  if (window.top !== window) return;
  const errors = __ERRORS__;
  const drawn = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  };
  const look = () => {
    const text = document.body ? document.body.innerText : "";
    for (const error of errors) {
      if (text.includes(error)) return {error: error, at: performance.now()};
    }
    for (const svg of document.querySelectorAll(".main-svg")) {
      if (drawn(svg)) return {chart: performance.now()};
    }
    for (const frame of document.querySelectorAll("iframe")) {
      let inner = null;
      try { inner = frame.contentDocument; } catch (e) { continue; }
      if (!inner || !drawn(frame)) continue;
      for (const svg of inner.querySelectorAll(".main-svg")) {
        if (drawn(svg)) return {chart: performance.now()};
      }
    }
    return null;
  };
  const tick = () => {
    const seen = look();
    if (seen) { window.__commonsFirstChart = seen; return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();""".replace("__ERRORS__", json.dumps(list(WIDGET_ERRORS)))


@dataclass
class AppLoad:
    url: str
    live: str | None  # the X-Commons-Live header: "app", "busy", "rate-limited" (None: no answer)
    chart_ms: float | None  # navigation start to the first visible chart; None when none was drawn
    error: str | None  # a widget error shown, or why no chart was drawn

    @property
    def rendered(self) -> bool:
        return self.live == "app" and self.chart_ms is not None and self.error is None

    def describe(self) -> str:
        if self.rendered:
            return f"{self.url}: chart in {self.chart_ms / 1000:.2f} s"
        return f"{self.url}: NOT rendered (live={self.live}, error={self.error})"


class OpeningApp:
    """A page that started loading ``url``; ``result()`` waits for its first chart and closes it as a visitor's
    tab closes."""

    def __init__(self, context, url: str, timeout_ms: float = 120_000):
        self.url, self.timeout_ms = url, timeout_ms
        self.page = context.new_page()
        self.page.add_init_script(WATCH_FIRST_CHART)
        response = self.page.goto(url, wait_until="commit", timeout=timeout_ms)
        self.live = response.headers.get("x-commons-live") if response else None

    def result(self, screenshot: str | None = None) -> AppLoad:
        chart_ms, error = None, None
        try:
            handle = self.page.wait_for_function(
                "() => window.__commonsFirstChart", polling=100, timeout=self.timeout_ms
            )
            seen = handle.json_value()
            chart_ms, error = seen.get("chart"), seen.get("error")
        except Exception as waited:  # playwright's TimeoutError, or the page went away
            error = f"no chart within {self.timeout_ms / 1000:.0f} s ({type(waited).__name__})"
        try:
            if error and screenshot:
                self.page.screenshot(path=screenshot, full_page=True)
        finally:
            self.page.close(run_before_unload=True)
        return AppLoad(self.url, self.live, chart_ms, error)


def load_app(context, url: str, screenshot: str | None = None) -> AppLoad:
    """One visit: open ``url``, wait for its first chart, close the tab."""
    return OpeningApp(context, url).result(screenshot)


def load_static_page(context, url: str) -> AppLoad:
    """The same measure for a story's static page (the benchmark's baseline): no kernel, plotly.js from the
    service. Static pages carry no X-Commons-Live header; a drawn one counts as rendered."""
    load = OpeningApp(context, url).result()
    load.live = load.live or "app"
    return load


def goto_live(page, url: str, timeout_ms: float = 150_000, patience_s: float = 180):
    """page.goto(url), opened again while the stories service answers with its busy or rate-limited page (earlier
    tests' kernels hold the caps until they are stopped or culled, within about a minute; each address may open
    10 sessions a minute), so a test checks the live app rather than the fallback. Returns the last response."""
    deadline = time.monotonic() + patience_s
    while True:
        response = page.goto(url, timeout=timeout_ms)
        live = response.headers.get("x-commons-live") if response else None
        if live not in ("busy", "rate-limited") or time.monotonic() > deadline:
            return response
        page.wait_for_timeout(15_000)
