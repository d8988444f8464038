"""Finding your area: places grouped by borough, an address that names an unknown or no place, and the static
pages' chooser (plain links, no JavaScript needed)."""

from __future__ import annotations

import pytest

from commons_kernel.stories import chooser
from commons_kernel.stories.blocks import Text
from commons_kernel.stories.reader import address_frame, demoted

pytestmark = pytest.mark.unit

PLACES = [
    {"code": "E05000886", "name": "Allerton and Hunts Cross", "group": "Liverpool"},
    {"code": "E05000887", "name": "Anfield", "group": "Liverpool"},
    {"code": "E05014121", "name": "Blackbrook", "group": "St. Helens"},
    {"code": "E05000654", "name": "Appleton", "group": "Halton"},
    {"code": "E05000999", "name": "<Odd & Co>", "group": "Halton"},
]


def test_places_are_grouped_by_borough_in_the_story_s_order_and_by_name():
    groups = chooser.grouped(PLACES)
    assert [g for g, _ in groups] == ["Liverpool", "St. Helens", "Halton"]
    assert [p["name"] for p in groups[2][1]] == ["<Odd & Co>", "Appleton"]
    assert chooser.grouped([{"code": "E08000012", "name": "Liverpool"}]) == [
        ("", [{"code": "E08000012", "name": "Liverpool"}])
    ]


@pytest.mark.parametrize(
    "query, code",
    [
        ("ward=E05000887", "E05000887"),
        ("ward=e05000887", "E05000887"),
        ("ward=anfield", "E05000887"),
        ("x=1&ward=E05014121", "E05014121"),
    ],
)
def test_an_address_naming_a_place_by_code_or_name_chooses_it(query, code):
    choice = chooser.choose(PLACES, "ward", query)
    assert choice.code == code and choice.asked and choice.message == ""


def test_an_unknown_ward_is_said_so_and_nothing_is_chosen():
    choice = chooser.choose(PLACES, "ward", "ward=Narnia")
    assert choice.code is None and choice.asked
    assert choice.message == "We don't know a ward called 'Narnia'. Choose one below."


def test_an_empty_ward_is_said_so_and_an_area_takes_an():
    assert chooser.choose(PLACES, "ward", "ward=").message == ("The address does not say which ward. Choose one below.")
    assert chooser.choose(PLACES, "area", "area=X").message == "We don't know an area called 'X'. Choose one below."


def test_a_very_long_unknown_name_is_shortened():
    message = chooser.choose(PLACES, "ward", "ward=" + "a" * 500).message
    assert len(message) < 120 and "…" in message


def test_no_place_in_the_address_is_not_an_error():
    assert chooser.choose(PLACES, "ward", "") == chooser.Choice(None)
    assert chooser.choose(PLACES, "ward", "other=1").asked is False


def test_the_static_chooser_is_links_per_borough_escaped_with_a_search_for_page_js():
    page = chooser.chooser_html(PLACES, "ward", href=lambda code: f"{code}.html", current="E05000887")
    assert page.count("<h3>") == 3 and '<h2 id="choose-title">Choose another ward</h2>' in page
    assert '<a href="E05000887.html" aria-current="page">Anfield</a>' in page
    assert "&lt;Odd &amp; Co&gt;" in page and "<Odd" not in page
    assert '<p class="chooser-search" hidden><label for="choose-search">Find a ward by name</label>' in page
    assert page.index("Halton") > page.index("St. Helens")  # the story's order of boroughs


def test_the_app_s_address_frame_sets_the_place_and_title_in_the_page():
    frame = address_frame("ward", "E05000887", "Your neighbourhood: Anfield </script>")
    assert frame.startswith("<iframe hidden") and 'data-commons-address="E05000887"' in frame
    assert "searchParams.set(&quot;ward&quot;,&quot;E05000887&quot;)" in frame
    assert "replaceState" in frame and "<\\/script>" in frame.replace("&lt;", "<").replace("&gt;", ">")


def test_the_app_keeps_one_h1_by_moving_the_story_s_headings_down():
    assert demoted(Text("# Anfield\n\n## Deprivation\ntext # not a heading")).markdown == (
        "## Anfield\n\n### Deprivation\ntext # not a heading"
    )
