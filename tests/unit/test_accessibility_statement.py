"""The accessibility statement: its public page is generated from docs/accessibility.md and current, it escapes what
the Markdown holds, it says what was tested, how, the known limitations and how to report a problem, and every
public page's template links it."""

from __future__ import annotations

import pytest

from commons_hub import statement
from commons_kernel.config import PROJECT_ROOT

pytestmark = pytest.mark.unit

HUB = PROJECT_ROOT / "hub" / "commons_hub"
# The templates of every public page: the register, the stories gallery, the static story pages, the live story
# apps (their sources section, kit.py, imports the address), the hub's pages (sign-in, sign-up, home).
PUBLIC_TEMPLATES = [
    HUB / "services" / "register" / "templates" / "base.html",
    HUB / "services" / "stories" / "gallery.py",
    HUB / "publishing" / "pages.py",
    HUB / "hub_templates" / "page.html",
]


def test_the_public_page_is_current():
    assert statement.PAGE.read_text() == statement.render(), (
        "hub/commons_hub/services/stories/static/accessibility.html is stale: run "
        "`.venv/bin/python -m commons_hub.statement`"
    )


def test_the_statement_says_what_was_tested_how_its_limits_and_how_to_report():
    text = statement.SOURCE.read_text()
    for heading in ("## What we check, and how", "## Known limitations", "## Report a problem"):
        assert heading in text, f"docs/accessibility.md has no '{heading}' section"
    for fact in ("WCAG 2.2", "axe-core", "390 pixels", "1440 pixels", "keyboard", "tests/browser/pages.py"):
        assert fact in text, f"docs/accessibility.md does not mention {fact!r}"


def test_markdown_is_escaped_and_a_missing_title_is_refused():
    page = statement.render("# Title <b>\n\nText <script>alert(1)</script>\n")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<title>Title &lt;b&gt;: Liverpool City Region Data Commons</title>" in page
    assert page.count("<h1>") == 1 and '<html lang="en-GB">' in page and 'href="#main"' in page
    with pytest.raises(ValueError, match="title"):
        statement.render("No heading here\n")


@pytest.mark.parametrize("template", PUBLIC_TEMPLATES, ids=lambda path: path.parent.name + "/" + path.name)
def test_every_public_page_links_the_statement(template):
    assert statement.URL in template.read_text(), f"{template.relative_to(PROJECT_ROOT)} does not link {statement.URL}"


def test_the_live_story_apps_link_the_statement_in_their_sources_section():
    from commons_kernel.stories import kit

    assert f"[Accessibility statement]({statement.URL})" in kit.sources_section({"sources": []})[0].markdown
