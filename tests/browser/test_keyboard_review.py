"""Governance with the keyboard only, in Chromium: from the hub's home page to a contribution's review and a
decision on it, pressing only Tab, Shift+Tab, Enter and typing, as a steward who does not use a mouse would.

``tab_to`` presses Tab until the element in focus is the one named, and checks that its focus is visible (an
outline of 3:1 or more against the background behind it, WCAG 1.4.11, or a ring) and on screen; a failure says
which element was last in focus and saves a screenshot.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.axe import focused
from tests.browser.people import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def tab_to(page, name: str, artifacts, limit: int = 80) -> dict:
    """Press Tab until the focused element's text or label matches ``name`` (a regular expression)."""
    last = None
    for _ in range(limit):
        page.keyboard.press("Tab")
        last = focused(page)
        if last and any(re.search(name, words, re.I) for words in (last["text"], last["label"]) if words):
            if not (last["visible_focus"] and last["on_screen"]):
                page.screenshot(path=str(artifacts / "focus-not-visible.png"), full_page=True)
            assert last["visible_focus"], f"the focus on {last} cannot be seen (no outline or ring)"
            assert last["on_screen"], f"the element in focus is off the screen: {last}"
            return last
    page.screenshot(path=str(artifacts / "not-reached.png"), full_page=True)
    raise AssertionError(f"{name!r} was not reached with {limit} presses of Tab on {page.url}; last in focus: {last}")


@pytest.fixture
def pending_contribution(hub) -> dict:
    from tests.integration.governance_client import FIXTURES, good_metadata, upload

    response = upload(
        hub,
        "analyst1",
        (FIXTURES / "good.csv").read_bytes(),
        "good.csv",
        good_metadata(f"keyboard_visits_{uuid.uuid4().hex[:6]}"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_steward_reaches_a_contribution_review_and_approves_it_with_the_keyboard(
    browser, hub, pending_contribution, artifacts
):
    number = pending_contribution["id"]
    context = sign_in(browser, hub, "steward", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{hub.url}/hub/home")
        tab_to(page, r"^Commons$", artifacts)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "Commons"

        tab_to(page, r"^Contributions$", artifacts)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "Contributions"

        tab_to(page, rf"^Review contribution {number}$", artifacts)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text().startswith(f"Contribution {number}")

        tab_to(page, r"Reason", artifacts)
        page.keyboard.type("Meets the standard; thank you.")
        tab_to(page, r"^Approve$", artifacts, limit=3)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.screenshot(path=str(artifacts / "decided.png"), full_page=True)
        assert "approved" in page.locator("main").inner_text()
    finally:
        context.close()

    from tests.integration.governance_client import post  # noqa: F401 (the same API the page used)

    state = hub.data_api(f"api/contributions/{number}", user="steward").json()
    assert state["status"] == "approved" and state["reason"] == "Meets the standard; thank you."
