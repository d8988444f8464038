"""Keyboard only, in Chromium at 390 px: from the hub's login to a vote, as a steward who does not use a mouse would.
Sign in, Tab to the hub's "Commons" link, Enter; Tab to the proposal waiting for the vote, Enter; read it whole;
choose Reject with the arrow keys, Tab to the comment and the button; the owner's veto asks to confirm; Enter
confirms. Every focused control shows a visible focus indicator. A screenshot goes to the test's artifacts folder
on failure. (Part G's walk to a contribution review is tests/browser/test_keyboard_review.py.)"""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta

import pytest
import requests

pytestmark = pytest.mark.browser

FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), type: e.type || "", text: (e.innerText || e.value || "").trim(),
          href: e.getAttribute("href") || "", name: e.name || "", checked: !!e.checked, cls: String(e.className || ""),
          outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
          shadow: !!s.boxShadow && s.boxShadow !== "none"}; }"""


@contextlib.contextmanager
def screenshot_on_failure(page, artifacts, name: str):
    try:
        yield
    except BaseException:
        page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
        raise


def tab_to(page, wanted, limit: int = 80, here: bool = False) -> dict:
    """Press Tab until the focused element satisfies ``wanted(focused)``; return it. Fails after ``limit`` presses.
    ``here``: the element focused now counts too (a field the page focuses on load)."""
    seen = []
    focused = page.evaluate(FOCUSED) if here else None
    if focused and wanted(focused):
        return focused
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and wanted(focused):
            return focused
        seen.append(focused and (focused["tag"], focused["text"][:30] or focused["href"] or focused["name"]))
    raise AssertionError(f"not reached with {limit} Tab presses on {page.url}; focus went through {seen}")


@pytest.fixture
def waiting_proposal(hub) -> dict:
    """A project proposal by analyst2 over restricted data, waiting for the steward (who speaks for its owner)."""
    slug = f"keyboard-{uuid.uuid4().hex[:8]}"
    body = {
        "kind": "project",
        "slug": slug,
        "title": f"Keyboard walk {slug}",
        "purpose": "Plan outreach by ward.",
        "public_benefit": "Earlier help for families.",
        "datasets": ["synthetic_referrals"],
        "members": ["analyst2"],
        "end_date": (date.today() + timedelta(days=90)).isoformat(),
    }
    response = requests.post(
        f"{hub.url}/services/data-api/api/proposals",
        json=body,
        timeout=60,
        headers={"Authorization": f"token {hub.token('analyst2')}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def proposal(hub, ident: int) -> dict:
    return requests.get(
        f"{hub.url}/services/data-api/api/proposals/{ident}",
        timeout=30,
        headers={"Authorization": f"token {hub.token('steward')}"},
    ).json()


def test_keyboard_only_from_hub_home_to_a_vote(hub, browser, artifacts, waiting_proposal):
    ident = waiting_proposal["id"]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        with screenshot_on_failure(page, artifacts, "keyboard-governance"):
            page.goto(f"{hub.url}/hub/login?next=/hub/home")
            assert tab_to(page, lambda f: f["name"] == "username", here=True)["tag"] == "input"
            page.keyboard.type("steward")
            tab_to(page, lambda f: f["name"] == "password")
            page.keyboard.type(hub.passwords["steward"])
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_url("**/hub/home")
            # The sign-in's redirects can land twice: open the hub home afresh (as from a bookmark) and wait for its
            # scripts (the menu button works once they have run).
            page.goto(f"{hub.url}/hub/home", wait_until="networkidle")

            # The hub's navigation bar is behind its menu button on a phone (narrower than 576 px).
            toggler = tab_to(page, lambda f: f["tag"] == "button" and "navbar-toggler" in f["cls"])
            assert toggler["outline"] or toggler["shadow"], "the hub's menu button shows no focus"
            page.keyboard.press("Enter")
            page.wait_for_selector("#thenavbar.collapse.show", timeout=15_000)  # opened, not still sliding
            link = tab_to(page, lambda f: f["text"] == "Commons" and f["href"].endswith("/services/data-api/commons"))
            assert link["outline"] or link["shadow"], "the hub's Commons link shows no focus"
            page.keyboard.press("Enter")
            page.wait_for_url("**/services/data-api/commons")
            assert page.locator("h1").inner_text() == "Commons"

            chosen = tab_to(page, lambda f: f["href"].endswith(f"/decisions/{ident}"))
            assert chosen["outline"], "a link on the Commons page shows no focus"
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/decisions/{ident}")
            body = page.locator("main").inner_text()
            for text in (
                "Plan outreach by ward.",
                "Earlier help for families.",
                "synthetic_referrals",
                "Votes: 0 of the 3 needed",
                "Your reject is a veto: it ends this proposal.",
            ):
                assert text in body, text

            approve = tab_to(page, lambda f: f["type"] == "radio")
            assert approve["outline"], "the vote choice shows no focus"
            page.keyboard.press("ArrowDown")  # approve -> reject: arrow keys move within a radio group
            assert page.locator("input[value=reject]").is_checked()
            tab_to(page, lambda f: f["tag"] == "textarea")
            page.keyboard.type("Not this data, not yet.")
            button = tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Vote")
            assert button["outline"], "the Vote button shows no focus"
            page.keyboard.press("Enter")
            page.wait_for_selector("h1:has-text('Confirm your veto')")
            assert proposal(hub, ident)["votes"] == []  # nothing counted before the confirm

            confirm = tab_to(page, lambda f: f["tag"] == "button")
            assert confirm["text"] == "Yes, reject and end this proposal" and confirm["outline"]
            page.keyboard.press("Enter")
            page.wait_for_selector("[role=status]:has-text('It is now rejected')")
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"the proposal page scrolls sideways at 390 px: {widths}"
    finally:
        context.close()
    decided = proposal(hub, ident)
    assert decided["status"] == "rejected"
    assert [(v["voter"], v["choice"], v["veto_for"], v["comment"]) for v in decided["votes"]] == [
        ("steward", "reject", ["synthetic_referrals"], "Not this data, not yet.")
    ]
