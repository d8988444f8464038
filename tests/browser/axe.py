"""axe-core in Debian's Chromium, from Python Playwright: the engine that @axe-core/playwright drives.

``scripts/setup.sh`` (WITH_BROWSER=1) installs ``@axe-core/playwright`` under .tools/; its dependency
``axe-core`` ships ``axe.min.js``, which ``run_axe`` evaluates in every frame of the page (as @axe-core/playwright
does, through the DevTools protocol, so the pages' Content-Security-Policy, which forbids scripts, stays on) and
then runs over the whole page, frames included, with the WCAG 2.0, 2.1 and 2.2 A and AA rules.

``page_overflow`` measures what scrolls sideways: the page's width against the window's, and the widest elements
that stick out (so a failure names them). ``focused`` describes the element in focus and whether its focus can be
seen; ``unseen_focus`` tabs through the top of a page and lists the elements whose focus cannot.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
                                          iframes: true, elementRef: false});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, summary: n.failureSummary}))}));
}"""

_OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let inside = false;          // inside an element that scrolls by itself: fine
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) { inside = true; break; }
      }
      if (!inside) {
        const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
          (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
        wide.push(name + " right=" + Math.round(box.right));
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 8)};
}"""


_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let back = [255, 255, 255];                   // the nearest opaque background behind the element
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) { back = c.slice(0, 3); break; }
  }
  const style = getComputedStyle(el);
  const outline = !["none", "auto"].includes(style.outlineStyle) && parseFloat(style.outlineWidth) >= 2;
  const [a, b] = [lum(rgb(style.outlineColor).slice(0, 3)), lum(back)].sort((x, y) => y - x);
  const contrast = outline ? (a + 0.05) / (b + 0.05) : null;
  // the browser's own ring (outline-style auto: two colours, seen on any background) counts as seen
  const ring = style.outlineStyle === "auto" ||
               (outline ? contrast >= 3 : Boolean(style.boxShadow && style.boxShadow !== "none"));
  const box = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim(),
          label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : "", visible_focus: ring,
          outline_contrast: contrast && Math.round(contrast * 100) / 100,
          on_screen: box.bottom > 0 && box.top < window.innerHeight && box.width > 0};
}"""


def focused(page) -> dict | None:
    """The element in focus: tag, text, label, whether its focus can be seen (an outline of 3:1 or more against
    the background behind it, WCAG 1.4.11, or a ring) and whether it is on screen; None on the page's body."""
    return page.evaluate(_FOCUSED)


def unseen_focus(page, presses: int = 12) -> list[dict]:
    """Press Tab ``presses`` times from the top of the page; the elements whose focus could not be seen."""
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0); }")
    unseen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        element = focused(page)
        if element and element["tag"] != "iframe" and not element["visible_focus"]:
            unseen.append(element)
    return unseen


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"axe-core is not installed at {AXE_SCRIPT}: run `WITH_BROWSER=1 scripts/setup.sh` "
            "(it installs @axe-core/playwright, which brings axe-core, under .tools/)"
        )
    return AXE_SCRIPT.read_text()


def run_axe(page) -> list[dict]:
    """Every WCAG 2.2 A/AA violation axe finds on ``page`` (its frames included), as plain dicts."""
    source = axe_source()
    for frame in page.frames:
        if frame.is_detached():
            continue
        try:
            frame.evaluate(source)
            # Story figures are drawn in frames of their own; let axe's frames talk to each other.
            frame.evaluate("() => axe.configure({allowedOrigins: ['<unsafe_all_origins>']})")
        except Exception as exc:  # a frame that went away meanwhile: axe reports what it cannot reach
            if "detached" not in str(exc).lower() and "destroyed" not in str(exc).lower():
                raise
    return page.main_frame.evaluate(_RUN, WCAG_TAGS)


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict], limit: int = 4) -> str:
    """The rule, its impact, the elements (a few) and the fix URL of each violation, one block each."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}\n  fix: {v['helpUrl']}")
        for node in v["nodes"][:limit]:
            summary = (node["summary"] or "").replace("\n", " ")
            lines.append(f"    {' > '.join(node['target'])}: {node['html'][:160]}\n      {summary[:300]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    ... and {len(v['nodes']) - limit} more elements")
    return "\n".join(lines)


def page_overflow(page) -> dict:
    return page.evaluate(_OVERFLOW)
