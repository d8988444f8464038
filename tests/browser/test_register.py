"""The public register in Chromium, as a resident would open it: every page without JavaScript and without a
login, keyboard-first, and the XSS probe: what members wrote (script tags, event handlers) shows as text and
never runs. A screenshot is saved to test-results/ when a check fails."""

from __future__ import annotations

import contextlib
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
PAGES = ["", "datasets", "projects", "uses", "releases", "contributions", "stories", "audit"]
PROBE = "<script>window.__xss = 1; alert('xss')</script><img src=x onerror=\"window.__xss = 2\">"


@pytest.fixture(scope="module")
def chromium(playwright):
    """Debian's Chromium (Playwright cannot download its own here), through pytest-playwright's driver."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.skip("Chromium is not installed: `apt-get install -y chromium`")
    browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    yield browser
    browser.close()


@contextlib.contextmanager
def screenshot_on_failure(page, name: str):
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"register-{name}.png"), full_page=True)
        raise


@pytest.fixture(scope="module")
def probe_project(hub) -> str:
    """A project voted through whose title, purpose and comments carry the XSS probe."""

    def post(user, path, body):
        response = requests.post(
            f"{hub.url}/services/data-api/{path}",
            json=body,
            timeout=60,
            headers={"Authorization": f"token {hub.token(user)}"},
        )
        assert response.status_code == 201, response.text
        return response.json()

    slug = f"xss-probe-{int(time.time() * 1000) % 10**8}"
    proposal = post(
        "analyst1",
        "api/proposals",
        {
            "title": f"Probe {PROBE}",
            "purpose": f"Purpose {PROBE}",
            "public_benefit": "Safety of the register",
            "datasets": ["synthetic_referrals"],
            "end_date": (date.today() + timedelta(days=30)).isoformat(),
            "slug": slug,
        },
    )
    for user in ("analyst2", "checker", "steward"):  # the proposer (analyst1) may not vote
        post(user, f"api/proposals/{proposal['id']}/votes", {"choice": "approve", "comment": f"vote {PROBE}"})
    return slug


def test_every_page_works_without_javascript(hub, chromium):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for path in PAGES:
            with screenshot_on_failure(page, path or "summary"):
                started = time.monotonic()
                response = page.goto(f"{hub.url}/services/register/{path}")
                assert response.status == 200, path
                assert time.monotonic() - started < 5, f"{path} took too long"
                assert "public register" in page.title()
                assert page.locator("h1").count() == 1 and page.locator("h1").inner_text().strip()
                assert page.locator("nav[aria-label=Register] a").count() == len(PAGES)
                assert page.locator("main").count() == 1
                assert page.locator("script").count() == 0
        with screenshot_on_failure(page, "datasets-table"):
            page.goto(f"{hub.url}/services/register/datasets")
            assert page.locator("table caption").first.inner_text().split()[1] == "datasets"
            assert page.locator("tbody tr").count() >= 20
            page.locator("a", has_text="Index of Multiple Deprivation 2019").first.click()
            assert "imd2019_lsoa11" in page.url and page.locator("text=Versions").count() >= 1
    finally:
        context.close()


def test_keyboard_reaches_the_content_first(hub, chromium):
    page = chromium.new_page()
    try:
        with screenshot_on_failure(page, "keyboard"):
            page.goto(f"{hub.url}/services/register/")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
            assert page.evaluate("document.documentElement.lang") == "en"
            assert "verifies" in page.locator("[role=status]").inner_text()
    finally:
        page.close()


def test_xss_probe_shows_as_text_and_never_runs(hub, chromium, probe_project):
    page = chromium.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for path in (f"projects/{probe_project}", "projects"):
            with screenshot_on_failure(page, f"xss-{path.replace('/', '-')}"):
                page.goto(f"{hub.url}/services/register/{path}")
                page.wait_for_load_state("load")
                assert page.evaluate("window.__xss") is None
                assert page.locator("script").count() == 0 and page.locator("img").count() == 0
                assert "<script>window.__xss = 1; alert('xss')</script>" in page.locator("main").inner_text()
        heading = page.locator("main a", has_text="Probe <script>").first.inner_text()
        assert heading.startswith("Probe <script>window.__xss")
        page.goto(f"{hub.url}/services/register/projects/{probe_project}")
        comments = page.locator("td", has_text="vote <script>")
        assert comments.count() == 3
        assert dialogs == []
    finally:
        page.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def refreshed_story(hub) -> str:
    """A real refresh of one story for one place, so the story-refresh page has a row (the table once was raw
    JSON 1,692 px wide)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "stories", "refresh", "crime-by-area", "--place", "E08000012"],
        env=hub.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return "crime-by-area"


def fits(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_no_register_page_scrolls_sideways_on_a_phone(hub, chromium, probe_project, refreshed_story):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    paths = PAGES + [
        "datasets/imd2019_lsoa11",
        f"projects/{probe_project}",
        "projects/early-help-demand",
        "uses?dataset=synthetic_referrals&from=2020-01-01",
        "uses?per_page=1&page=2",
        "audit?action=vote",
        "uses?from=not-a-date",
        "datasets/no_such_dataset",
    ]
    try:
        for path in paths:
            with screenshot_on_failure(page, "phone-" + (path or "summary").replace("/", "-").replace("?", "-")):
                page.goto(f"{hub.url}/services/register/{path}")
                scroll_width, inner_width = fits(page)
                assert scroll_width <= inner_width, f"{path}: {scroll_width} px wide on a {inner_width} px screen"
                for box in page.locator(".table-wrap").all():  # wide tables scroll inside a labelled box
                    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-labelledby")
                    assert box.bounding_box()["width"] <= inner_width
                # hashes and commands outside the tables wrap to the screen
                assert page.evaluate(
                    "[...document.querySelectorAll('code, pre')].filter(c => !c.closest('.table-wrap'))"
                    ".every(c => c.getBoundingClientRect().right <= window.innerWidth + 1)"
                ), path
        with screenshot_on_failure(page, "phone-stories"):
            page.goto(f"{hub.url}/services/register/stories")
            assert page.locator("#runs-caption").count() == 1
            assert page.locator("td", has_text=refreshed_story).count() >= 1
            assert page.locator("td", has_text="crime: December 2021").count() >= 1
    finally:
        context.close()


def test_filters_and_downloads_work_with_the_keyboard_and_no_javascript(hub, chromium, probe_project):
    read = hub.data_api(
        "api/datasets/synthetic_referrals/data",
        user="analyst1",
        params={"project": probe_project, "columns": "reason", "purpose": "filter the register uses"},
    )
    assert read.status_code == 200, read.text
    context = chromium.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    chosen = probe_project
    try:
        with screenshot_on_failure(page, "filters-keyboard"):
            page.goto(f"{hub.url}/services/register/uses")
            page.get_by_label("Project", exact=True).select_option(chosen)
            page.get_by_label("From (date)", exact=True).fill("2020-01-01")
            page.get_by_role("button", name="Show").focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert f"project={chosen}" in page.url and "from=2020-01-01" in page.url
            assert page.get_by_label("Project", exact=True).input_value() == chosen
            projects = page.locator("#uses-caption ~ tbody td:nth-child(3)").all_inner_texts()
            assert set(projects) == {chosen}
            link = page.get_by_role("link", name="CSV")
            assert f"project={chosen}" in link.get_attribute("href")
            with page.expect_download() as download:
                link.click()
            assert download.value.suggested_filename.startswith("register-uses-")
            text = Path(download.value.path()).read_text(encoding="utf-8-sig")
            assert text.splitlines()[0] == "month,dataset,project,reads,rows,purposes"
            lines = text.splitlines()[1:]
            assert lines and all(line.split(",")[2] == chosen for line in lines)
        with screenshot_on_failure(page, "audit-entries"):
            page.goto(f"{hub.url}/services/register/audit")
            assert page.locator("#entries-caption").count() == 1
            box = page.locator("[aria-labelledby=entries-caption]")
            box.focus()
            assert page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == "entries-caption"
            assert page.locator("a[href$='audit/head.json']").count() >= 1
    finally:
        context.close()
