"""The upload form in Chromium, as a member would use it: choosing the metadata file fills the form in (the page's
own script), tier and licence start at "Choose ..." and are required, the form uploads the file's community /
CC-BY-4.0 (the values it once replaced with open / OGL-UK-3.0), and a field changed afterwards is refused naming
both values. Keyboard only. Screenshots on failure in test-artifacts/browser/<test>/."""

from __future__ import annotations

import contextlib
import json

import pytest
import requests

from tests.browser.people import sign_in
from tests.integration.governance_client import unique
from tests.one_validation import FOLDER, metadata

pytestmark = pytest.mark.browser

USER = "analyst2"


@contextlib.contextmanager
def screenshot_on_failure(page, artifacts, name: str):
    try:
        yield
    except BaseException:
        page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
        raise


def contributions_of(hub, name: str) -> list[dict]:
    return requests.get(
        f"{hub.url}/services/data-api/api/contributions",
        params={"dataset": name},
        timeout=30,
        headers={"Authorization": f"token {hub.token(USER)}"},
    ).json()


def test_the_form_is_filled_in_from_the_metadata_file_and_uploads_its_tier_and_licence(
    hub, browser, artifacts, tmp_path
):
    meta = metadata(name=unique("browser_upload"))
    meta_path = tmp_path / "visits.yaml"
    meta_path.write_text(json.dumps(meta))
    context = sign_in(browser, hub, USER, viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        with screenshot_on_failure(page, artifacts, "filled-in"):
            page.goto(f"{hub.url}/services/data-api/contribute")
            assert page.locator("#tier").input_value() == "" and page.locator("#licence").input_value() == ""
            assert page.locator("#tier option:checked").inner_text() == "Choose a tier"
            assert page.locator("#tier").evaluate("el => el.required") is True
            page.locator("#file").set_input_files(str(FOLDER / "clean.csv"))
            page.locator("#metadata_file").set_input_files(str(meta_path))
            status = page.locator("#prefill-status")
            status.get_by_text("Filled in from visits.yaml").wait_for(timeout=30_000)
            assert page.locator("#name").input_value() == meta["name"]
            assert (page.locator("#tier").input_value(), page.locator("#licence").input_value()) == (
                "community",
                "CC-BY-4.0",
            )
            assert page.locator("#geography_level").input_value() == "ward"
            assert page.locator("#tags").input_value() == "test"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        with screenshot_on_failure(page, artifacts, "uploaded"):
            page.get_by_role("button", name="Check and upload").focus()
            with page.expect_navigation(timeout=120_000):
                page.keyboard.press("Enter")
            page.get_by_text("passed every check").wait_for(timeout=30_000)
            assert "(community tier)" in page.locator("main").inner_text()
        assert [(c["tier"], c["licence"]) for c in contributions_of(hub, meta["name"])] == [("community", "CC-BY-4.0")]
        assert errors == [], errors  # the script ran under the page's policy without a violation
    finally:
        context.close()


def test_a_field_changed_after_filling_in_is_refused_naming_both(hub, browser, artifacts, tmp_path):
    meta = metadata(name=unique("browser_mismatch"))
    meta_path = tmp_path / "visits.yaml"
    meta_path.write_text(json.dumps(meta))
    context = sign_in(browser, hub, USER)
    page = context.new_page()
    try:
        with screenshot_on_failure(page, artifacts, "mismatch"):
            page.goto(f"{hub.url}/services/data-api/contribute")
            page.locator("#file").set_input_files(str(FOLDER / "clean.csv"))
            page.locator("#metadata_file").set_input_files(str(meta_path))
            page.locator("#prefill-status").get_by_text("Filled in from").wait_for(timeout=30_000)
            page.locator("#tier").focus()
            page.keyboard.press("Home")  # the keyboard picks the first option, as the old default did
            page.locator("#tier").select_option("open")
            with page.expect_navigation(timeout=120_000):
                page.get_by_role("button", name="Check and upload").click()
            alert = page.get_by_role("alert")
            alert.wait_for(timeout=30_000)
            text = alert.inner_text()
            assert "Nothing was stored" in text
            assert "the metadata file visits.yaml says tier `community` but the form says `open`" in text
            assert page.locator("#tier").input_value() == "open"  # the form keeps what was sent, to correct
        assert contributions_of(hub, meta["name"]) == []
    finally:
        context.close()
