"""A resident, anonymously, through the hub's proxy: the gallery, a story app (change the ward: the numbers and
the map change in place), a deep link, and a static page. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from tests.browser.story_app_page import goto_live
from tests.integration.hubfixture import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WARDS = {"E05000887": ("Anfield", "Liverpool"), "E05014121": ("Blackbrook", "St. Helens")}
APP_TIMEOUT = 90_000


@pytest.fixture(scope="module")
def neighbourhood(hub):
    # Both wards must be published (another test may have published the story for one place only).
    pages = f"{hub.url}/services/stories/your-neighbourhood/pages/"
    if not all(requests.get(f"{pages}{code}.html", timeout=30).status_code == 200 for code in WARDS):
        args = [sys.executable, "-m", "commons_hub.cli", "stories", "refresh", "your-neighbourhood"]
        for code in WARDS:
            args += ["--place", code]
        result = subprocess.run(args, env=hub.env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return f"{hub.url}/services/stories/"


def heading(page) -> str:
    return page.locator("h1, h2").filter(has_text=", ").first.inner_text()


def map_title(page) -> str:
    """The title plotly drew in the app's first figure (each figure is drawn in its own small frame)."""
    title = page.frame_locator("iframe.commons-figure").first.locator(".gtitle").first
    lines = title.locator("tspan.line").all_text_contents()  # a title wrapped for a phone: one tspan a line
    return " ".join(lines) if lines else title.text_content()


def test_a_resident_picks_a_ward_and_the_page_changes_in_place(page, neighbourhood, artifacts):
    page.set_viewport_size({"width": 412, "height": 915})  # a phone
    page.goto(neighbourhood)
    assert "Stories for residents" in page.locator("h1").first.inner_text()
    page.screenshot(path=str(artifacts / "1-gallery.png"), full_page=True)

    page.locator("#your-neighbourhood a.button").click()
    page.wait_for_load_state("commit")
    if page.locator("#commons-busy").count():  # busy or rate-limited: earlier tests' kernels hold the caps for a while
        goto_live(page, page.url, APP_TIMEOUT)
    page.wait_for_selector("select", timeout=APP_TIMEOUT)
    # Both boroughs at once, though the story's preheated kernel may have loaded the snapshot published before this
    # module's refresh (it shows the new one when its visitor comes).
    assert page.get_by_label("Borough", exact=True).count() == 1
    page.wait_for_selector("text=Anfield, Liverpool", timeout=APP_TIMEOUT)
    page.frame_locator("iframe.commons-figure").first.locator(".main-svg").first.wait_for(timeout=APP_TIMEOUT)
    assert "wards of Liverpool" in map_title(page)
    first_numbers = page.locator("text=In 2025 Anfield scored").first.inner_text()
    page.screenshot(path=str(artifacts / "2-app-anfield.png"), full_page=True)

    page.get_by_label("Borough", exact=True).select_option(label="St. Helens")
    page.get_by_label("Your ward", exact=True).select_option(label="Blackbrook")
    page.wait_for_selector("text=Blackbrook, St. Helens", timeout=APP_TIMEOUT)
    page.frame_locator("iframe.commons-figure").first.locator(".gtitle", has_text="St. Helens").wait_for(
        timeout=APP_TIMEOUT
    )
    second_numbers = page.locator("text=In 2025 Blackbrook scored").first.inner_text()
    assert first_numbers != second_numbers
    assert page.locator("text=Anfield, Liverpool").count() == 0
    assert "/voila/render/your-neighbourhood/app.ipynb" in page.url  # same page: updated in place
    page.screenshot(path=str(artifacts / "3-app-blackbrook.png"), full_page=True)


def test_a_deep_link_opens_that_ward(page, neighbourhood, artifacts):
    goto_live(page, neighbourhood + "your-neighbourhood/app?ward=E05014121", APP_TIMEOUT)
    page.wait_for_selector("text=Blackbrook, St. Helens", timeout=APP_TIMEOUT)
    page.screenshot(path=str(artifacts / "deep-link.png"), full_page=True)


def test_a_static_page_reads_without_the_app(page, neighbourhood, artifacts):
    page.goto(neighbourhood + "your-neighbourhood/pages/E05000887.html")
    assert "Anfield, Liverpool" in page.locator("h1").first.inner_text()
    page.wait_for_selector(".commons-plot .main-svg", timeout=30_000)  # plotly.js from the service drew it
    assert page.locator("text=Where these numbers come from").count() == 1
    page.screenshot(path=str(artifacts / "static-anfield.png"), full_page=True)
