"""The accessibility harness itself (tests/browser/axe.py) catches what it should, in Chromium, without a hub: a
page with an unlabelled field, faint text, no language, an image without a text alternative inside a frame (as
story figures are) and a box wider than a phone is reported rule by rule, with the fix URL and the element."""

from __future__ import annotations

import pytest

from tests.browser.axe import blocking, describe, page_overflow, run_axe, unseen_focus

pytestmark = pytest.mark.browser

BAD_PAGE = """<html><head><title>bad</title></head><body><main><h1>Bad page</h1><input type="text">
<p style="color:#bbb">faint words</p><div style="width:900px">too wide for a phone</div>
<iframe title="figure" srcdoc="<!doctype html><html lang=en><title>f</title><body><img src=x.png></body></html>">
</iframe></main></body></html>"""


def test_the_harness_reports_each_violation_with_its_element_and_fix_even_inside_frames(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.set_content(BAD_PAGE)
    page.frames[-1].wait_for_load_state("load")
    found = {v["id"]: v for v in blocking(run_axe(page))}
    assert {"label", "color-contrast", "html-has-lang", "image-alt"} <= set(found)
    assert found["image-alt"]["nodes"][0]["target"] == ["iframe", "img"]  # inside the frame
    report = describe(list(found.values()))
    assert "https://dequeuniversity.com/rules/axe/4.14/label" in report and '<input type="text">' in report
    overflow = page_overflow(page)
    assert overflow["scrollWidth"] > overflow["innerWidth"] == 390 and overflow["wide"] == ["div right=908"]


def test_a_good_page_has_no_serious_violation_and_fits(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.set_content(
        '<html lang="en"><head><title>good</title></head><body><main><h1>Good page</h1>'
        '<label for="q">Your ward</label><input id="q" type="text"><p>Readable words.</p>'
        "</main></body></html>"
    )
    assert blocking(run_axe(page)) == [] and page_overflow(page)["wide"] == []


def test_a_focus_that_cannot_be_seen_is_found(page):
    page.set_content(
        '<html lang="en"><head><title>focus</title><style>#faint:focus { outline: 3px solid #f5a000 }'
        "#none:focus { outline: none }"
        "#seen:focus { outline: 3px solid #1b1b1b }</style></head><body><main><h1>Focus</h1>"
        '<a id="seen" href="#a">seen</a> <a id="faint" href="#b">faint</a> '
        '<a id="none" href="#c">none</a></main></body></html>'
    )
    unseen = unseen_focus(page, presses=3)
    assert [element["text"] for element in unseen] == ["faint", "none"]
    assert unseen[0]["outline_contrast"] == 2.12
