"""The review pages in Chromium as people use them: on a phone (390 px) they do not scroll sideways (wide tables
scroll inside their own box), have one <h1> and no serious or critical WCAG 2.2 AA violation (axe-core); a steward
rejects a contribution and a contributor withdraws a dataset with the keyboard only, the focus visible each step.
Screenshots of every page are saved under test-artifacts/browser/<test>/."""

from __future__ import annotations

import pytest

from tests.browser.axe import blocking, describe, page_overflow, run_axe
from tests.browser.people import sign_in
from tests.integration.governance_client import FIXTURES, good_metadata, post, unique, upload
from tests.integration.test_review_pages import contacts_contribution, request_release

pytestmark = pytest.mark.browser

API = "/services/data-api/"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def review_site(hub):
    _, pending = contacts_contribution(hub)
    _, rejectable = contacts_contribution(hub)
    name = unique("phone_visits")
    record = upload(hub, "analyst1", (FIXTURES / "good.csv").read_bytes(), "good.csv", good_metadata(name)).json()
    assert post(hub, "steward", f"api/contributions/{record['id']}/approve", {}).status_code == 200
    return {
        "pending": pending["id"],
        "rejectable": rejectable["id"],
        "dataset": name,
        "release": request_release(hub)["id"],
    }


def open_at_phone_width(context, url: str):
    page = context.new_page()
    page.set_viewport_size(PHONE)
    response = page.goto(url)
    page.wait_for_load_state("load")
    return page, response


@pytest.mark.parametrize(
    "who, path",
    [
        ("steward", "contributions/{pending}"),
        ("analyst1", "contributions"),
        ("analyst1", "datasets/{dataset}/withdraw"),
        ("analyst2", "datasets/{dataset}/withdraw"),
        ("checker", "releases"),
        ("checker", "releases/{release}"),
    ],
)
def test_the_review_pages_fit_a_phone_and_pass_axe(browser, hub, review_site, artifacts, who, path):
    context = sign_in(browser, hub, who)
    try:
        page, response = open_at_phone_width(context, hub.url + API + path.format(**review_site))
        page.screenshot(path=str(artifacts / "page.png"), full_page=True)
        assert response.status == 200
        overflow = page_overflow(page)
        assert overflow["scrollWidth"] <= overflow["innerWidth"] and not overflow["wide"], overflow
        assert page.locator("h1").count() == 1
        serious = blocking(run_axe(page))
        assert not serious, describe(serious)
    finally:
        context.close()


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab until ``selector`` has the focus; the focused element must show a visible outline."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement); "
                "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
            assert outline[0] != "none" and outline[1] >= 2, f"{selector} has no visible focus: {outline}"
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_a_steward_rejects_a_contribution_with_the_keyboard_only(browser, hub, review_site, artifacts):
    context = sign_in(browser, hub, "steward")
    try:
        page, _ = open_at_phone_width(context, f"{hub.url}{API}contributions/{review_site['rejectable']}")
        tab_to(page, ".table-scroll")  # the wide preview scrolls with the arrow keys
        tab_to(page, "textarea#reason")
        page.keyboard.type("The contact column holds e-mail addresses.")
        tab_to(page, "button[value=reject]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.screenshot(path=str(artifacts / "rejected.png"), full_page=True)
        assert "is now rejected" in page.locator("[role=status]").inner_text()
    finally:
        context.close()


def test_a_contributor_withdraws_with_the_keyboard_only(browser, hub, review_site, artifacts):
    context = sign_in(browser, hub, "analyst1")
    try:
        page, _ = open_at_phone_width(context, f"{hub.url}{API}datasets/{review_site['dataset']}/withdraw")
        tab_to(page, "textarea#reason")
        page.keyboard.type("Consent was withdrawn.")
        tab_to(page, "button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.screenshot(path=str(artifacts / "confirm.png"), full_page=True)
        assert page.locator("h2", has_text="Are you sure?").count() == 1
        tab_to(page, "button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.screenshot(path=str(artifacts / "withdrawn.png"), full_page=True)
        assert "is withdrawn" in page.locator("[role=status]").inner_text()
    finally:
        context.close()
