"""JupyterLab's launcher has a "Commons" card (commons_hub.lab_launcher: a prebuilt extension found on JUPYTER_PATH),
reachable with the keyboard; Enter on it opens the Commons page of the data-api in a new tab. A screenshot goes to
the test's artifacts folder on failure."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

USER = "checker2"  # a member whose server no other browser test keeps running


def test_launcher_card_opens_the_commons_page(hub, browser, artifacts):
    hub.spawn(USER)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{hub.url}/hub/login?next=/user/{USER}/lab")
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", hub.passwords[USER])
        page.press("input[name=password]", "Enter")
        card = page.locator(".jp-LauncherCard", has_text="Commons")
        try:
            card.wait_for(timeout=90_000)
            assert card.get_attribute("tabindex") == "0"  # in the Tab order, like every launcher card
            assert "LCR Data Commons" in (card.get_attribute("title") or "")
            card.focus()
            with context.expect_page(timeout=30_000) as opened:
                page.keyboard.press("Enter")
            commons = opened.value
            commons.wait_for_load_state()
            assert commons.url.endswith("/services/data-api/commons")
            assert commons.locator("h1").inner_text() == "Commons"
        except BaseException:
            page.screenshot(path=str(artifacts / "lab-launcher.png"), full_page=True)
            raise
    finally:
        context.close()
        hub.stop_server(USER)
