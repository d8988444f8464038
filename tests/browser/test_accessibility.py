"""WCAG 2.2 AA and phones, on every page of tests/browser/pages.py, in Debian's Chromium.

Each page is opened once at 390 px (a phone) and once at 1440 px (a laptop), signed in as its person or as
nobody, and waited for (a story app until its first chart is drawn). Then:

- axe-core (tests/browser/axe.py: the engine of @axe-core/playwright) finds no serious or critical violation of
  the WCAG 2.0, 2.1 and 2.2 A and AA rules, frames included; a failure lists each rule, its elements and its fix;
- at 390 px the page does not scroll sideways (`scrollWidth <= innerWidth`; a failure names what sticks out);
- the page has exactly one <h1>;
- at 1440 px, each of the first 12 elements Tab reaches shows its focus (an outline of 3:1 or a ring).

A screenshot of every failing page is saved under test-artifacts/browser/accessibility/.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import date, timedelta

import pytest
import requests

from tests.browser.axe import blocking, describe, page_overflow, run_axe, unseen_focus
from tests.browser.conftest import ARTIFACTS
from tests.browser.pages import PAGES, WIDTHS
from tests.browser.pages import STORIES as STORIES_PREFIX
from tests.browser.people import sign_in
from tests.browser.story_app_page import goto_live
from tests.integration.hubfixture import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PLACE, AREA = "E05000887", "E08000012"  # Anfield (a ward), Liverpool (a borough)
STORIES = {
    "your-neighbourhood": PLACE,
    "children-and-older-people": PLACE,
    "crime-by-area": AREA,
    "deprivation-across-the-region": AREA,
}
DEMO_PROJECT = "early-help-demand"  # commons init seeds it (commons_hub.governance.projects.DEMO_PROJECT)
APP_TIMEOUT = 150_000
SHOTS = ARTIFACTS / "accessibility"


def publish_stories(hub) -> None:
    """Each story published for its place (a refresh of that one place when it is not)."""
    for slug, code in STORIES.items():
        if requests.get(f"{hub.url}{STORIES_PREFIX}{slug}/pages/{code}.html", timeout=30).status_code == 200:
            continue
        args = [sys.executable, "-m", "commons_hub.cli", "stories", "refresh", slug, "--place", code]
        result = subprocess.run(args, env=hub.env, cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def site(hub) -> dict:
    """What the governance pages show, so their forms are on them: a contribution waiting for a steward, an open
    proposal, a release waiting for a checker, and analyst1's own approved dataset (to withdraw)."""
    from tests.integration.governance_client import FIXTURES, good_metadata, post, upload

    good = (FIXTURES / "good.csv").read_bytes()
    own = f"a11y_own_{uuid.uuid4().hex[:6]}"
    approved = upload(hub, "analyst1", good, "good.csv", good_metadata(own))
    assert approved.status_code == 201, approved.text
    decision = post(hub, "steward", f"api/contributions/{approved.json()['id']}/approve", {"reason": "fine"})
    assert decision.status_code in (200, 201), decision.text
    pending = upload(hub, "analyst1", good, "good.csv", good_metadata(f"a11y_visits_{uuid.uuid4().hex[:6]}"))
    assert pending.status_code == 201, pending.text
    proposal = post(
        hub,
        "analyst1",
        "api/proposals",
        {
            "title": "Accessible pages check",
            "purpose": "See that the vote form reads well with a screen reader.",
            "public_benefit": "Governance every member can use",
            "datasets": ["synthetic_referrals"],
            "end_date": (date.today() + timedelta(days=60)).isoformat(),
            "slug": f"a11y-{uuid.uuid4().hex[:6]}",
        },
    )
    assert proposal.status_code == 201, proposal.text
    return {
        "place": PLACE,
        "area": AREA,
        "project": DEMO_PROJECT,
        "own_dataset": own,
        "contribution": pending.json()["id"],
        "proposal": proposal.json()["id"],
        "release": _release(hub),
    }


def _release(hub) -> int:
    """A release of the demo project (analyst1 is a member) waiting for a checker: a table and a note."""
    import pandas as pd

    from commons_kernel.releases import to_outputs
    from tests.integration.governance_client import post

    boroughs = pd.Index(["Halton", "Knowsley", "Wirral"], name="borough")
    outputs, _ = to_outputs(
        {
            "referrals_by_borough": pd.DataFrame({"referrals": [38, 105, 102]}, index=boroughs),
            "note": "Counts of SYNTHETIC referrals.",
        }
    )
    response = post(
        hub,
        "analyst1",
        "api/releases",
        {
            "project": DEMO_PROJECT,
            "title": "Referrals by borough (synthetic)",
            "outputs": [o.to_payload() for o in outputs],
            "description": "For the accessibility test.",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
def visit(browser, hub, site):
    """visit(page, width) -> {status, violations, overflow, h1}: opened once per page and width, then kept."""
    contexts: dict = {}
    seen: dict = {}
    published: list = []
    SHOTS.mkdir(parents=True, exist_ok=True)

    def context_of(who):
        if who not in contexts:
            contexts[who] = sign_in(browser, hub, who) if who else browser.new_context()
        return contexts[who]

    def open_page(spec, width: int) -> dict:
        key = (spec, width)
        if key in seen:
            return seen[key]
        if spec.path.startswith(STORIES_PREFIX) and not published:
            publish_stories(hub)
            published.append(True)
        page = context_of(spec.who).new_page()
        page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
        try:
            started = time.monotonic()
            response = goto_live(page, hub.url + spec.path.format(**site), APP_TIMEOUT)
            if spec.chart:
                page.frame_locator("iframe.commons-figure").first.locator(".main-svg").first.wait_for(
                    timeout=APP_TIMEOUT
                )
            if spec.ready:
                page.locator(spec.ready).first.wait_for(timeout=30_000)
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # let layout settle (fonts, plotly's resize)
            found = {
                "status": response.status if response else None,
                "url": page.url,
                "seconds": round(time.monotonic() - started, 1),
                "violations": run_axe(page),
                "overflow": page_overflow(page) if width < 800 else None,
                "h1": page.locator("h1").count(),
                "unseen_focus": unseen_focus(page) if width >= 800 else None,
            }
        except Exception:
            page.screenshot(path=str(SHOTS / f"{spec.name}-{width}-error.png"), full_page=True)
            raise
        if (
            blocking(found["violations"])
            or (found["overflow"] and found["overflow"]["wide"])
            or found["h1"] != 1
            or found["unseen_focus"]
        ):
            page.screenshot(path=str(SHOTS / f"{spec.name}-{width}.png"), full_page=True)
        page.close(run_before_unload=True)  # a live app's unload handler stops its kernel, as a closed tab does
        seen[key] = found
        return found

    yield open_page
    for context in contexts.values():
        context.close()


IDS = [spec.name for spec in PAGES]


@pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))
@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_no_serious_or_critical_wcag_violations(visit, spec, width):
    found = visit(spec, width)
    assert found["status"] == spec.status, f"{found['url']} answered {found['status']}, not {spec.status}"
    serious = blocking(found["violations"])
    assert not serious, (
        f"{spec.path} at {width} px ({found['url']}): {len(serious)} serious or critical "
        f"WCAG 2.2 AA violations\n{describe(serious)}"
    )


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_no_sideways_scrolling_on_a_phone(visit, spec):
    overflow = visit(spec, WIDTHS["phone"])["overflow"]
    assert overflow["scrollWidth"] <= overflow["innerWidth"], (
        f"{spec.path} scrolls sideways at 390 px: the page is {overflow['scrollWidth']} px wide; sticking out: "
        f"{', '.join(overflow['wide']) or '(nothing found outside a scrolling box)'}"
    )


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_one_main_heading(visit, spec):
    assert visit(spec, WIDTHS["phone"])["h1"] == 1, f"{spec.path} has {visit(spec, WIDTHS['phone'])['h1']} <h1>"


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_the_focus_can_be_seen(visit, spec):
    unseen = visit(spec, WIDTHS["laptop"])["unseen_focus"]
    assert not unseen, f"{spec.path}: Tab reaches elements whose focus cannot be seen (WCAG 2.4.7, 1.4.11): {unseen}"
