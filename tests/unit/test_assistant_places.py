"""Places in questions: GSS code levels, ward and borough names to codes, and names we cannot place."""

from __future__ import annotations

import pandas as pd
import pytest

from commons_kernel.assistant.places import Gazetteer, gss_level, place_like_phrases

pytestmark = pytest.mark.unit

WARDS = pd.DataFrame(
    {
        "ward22_code": ["E05000896", "E05000910", "E05000891", "E05000936", "E05014132", "E05013175"],
        "ward22_name": [
            "Everton",
            "Tuebrook and Stoneycroft",
            "Church",
            "Church",
            "St Helens Town Centre",
            "Daresbury, Moore & Sandymoor",
        ],
        "lad22_code": ["E08000012", "E08000012", "E08000012", "E08000014", "E08000013", "E06000006"],
        "lad22_name": ["Liverpool", "Liverpool", "Liverpool", "Sefton", "St. Helens", "Halton"],
    }
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(WARDS)


@pytest.mark.parametrize(
    "code, level",
    [
        ("E01006512", "lsoa"),
        ("E02001347", "msoa"),
        ("E05000910", "ward"),
        ("E06000006", "lad"),
        ("E08000012", "lad"),
        ("E47000004", "cauth"),
        ("e08000013", "lad"),
    ],
)
def test_gss_prefix_gives_the_level(code, level):
    assert gss_level(code) == level


@pytest.mark.parametrize("text", ["E0800001", "X08000012", "E080000123", "Everton", ""])
def test_not_a_gss_code(text):
    assert gss_level(text) is None


def test_ward_name_to_code_with_its_borough(gazetteer):
    [everton] = gazetteer.find("How deprived is Everton?")
    assert (everton.code, everton.level, everton.parent_code) == ("E05000896", "ward", "E08000012")
    assert "Everton (E05000896) is an electoral ward" in everton.describe()
    assert "in Liverpool (E08000012)" in everton.describe()


def test_borough_names_come_from_the_six_lad_codes(gazetteer):
    codes = [p.code for p in gazetteer.find("Compare St Helens, Wirral and Knowsley")]
    assert codes == ["E08000013", "E08000015", "E08000011"]


def test_longest_name_wins(gazetteer):
    places = gazetteer.find("crime in St Helens Town Centre")
    assert [p.code for p in places] == ["E05014132"]


def test_city_region_is_not_liverpool(gazetteer):
    assert [p.code for p in gazetteer.find("the Liverpool City Region boundary")] == ["E47000004"]


def test_codes_are_found_and_named_when_known(gazetteer):
    places = gazetteer.find("Which borough is ward E05000910 in? And E01006512?")
    assert [(p.code, p.name, p.level) for p in places] == [
        ("E05000910", "Tuebrook and Stoneycroft", "ward"),
        ("E01006512", "", "lsoa"),
    ]


def test_punctuation_and_ampersands_do_not_matter(gazetteer):
    assert [p.code for p in gazetteer.find("daresbury moore and sandymoor")] == ["E05013175"]
    assert [p.code for p in gazetteer.find("tuebrook & stoneycroft")] == ["E05000910"]


def test_a_shared_ward_name_gives_every_ward(gazetteer):
    assert {p.parent_name for p in gazetteer.find("food banks in Church ward")} == {"Liverpool", "Sefton"}


def test_everyday_words_match_only_with_a_capital(gazetteer):
    assert gazetteer.find("is there a church near me") == []


def test_without_wards_only_boroughs_are_known():
    boroughs = Gazetteer()
    assert boroughs.find("Everton") == []
    assert [p.code for p in boroughs.find("sefton")] == ["E08000014"]


def test_seed_lookup_feeds_the_gazetteer(seed_dir):
    gazetteer = Gazetteer.from_seed_lookup(seed_dir / "lookup_wd22_lad22_cty_rgn_ctry_lcr.csv")
    assert gazetteer.by_code("E05000910").name == "Tuebrook and Stoneycroft"
    assert [p.code for p in gazetteer.find("Speke-Garston")] == [gazetteer.find("Speke Garston")[0].code]


def test_place_like_phrases_skip_acronyms():
    assert place_like_phrases("poverty in Bootle and crime near Old Swan, IMD in LSOA") == ["Bootle", "Old Swan"]
