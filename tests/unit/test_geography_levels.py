"""Levels and vintages from GSS codes, column names and a hierarchy."""

import pandas as pd
import pytest

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography import Level, detect_level, parse_level
from commons_kernel.geography.levels import frame_level
from tests.unit import geo_toy as toy

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "codes, kind",
    [
        (["E01006512", "E01033759"], "lsoa"),
        (["E02001327"], "msoa"),
        (["E05000886", "E05014136"], "ward"),
        (["E06000006", "E08000012"], "lad"),
        (["E47000004"], "cauth"),
    ],
)
def test_the_kind_comes_from_the_gss_prefix(codes, kind):
    assert detect_level(codes) == Level(kind)


def test_the_vintage_comes_from_the_column_name():
    assert detect_level(pd.Series(["E01006512"], name="lsoa11_code")) == Level("lsoa", 2011)
    assert detect_level(["E05014136"], column="WD22CD") == Level("ward", 2022)
    assert detect_level(["E08000012"], column="lad19_code").label == "LAD 2019"


def test_the_vintage_comes_from_the_hierarchy_when_the_column_does_not_say():
    hierarchy = toy.hierarchy()
    assert detect_level([toy.B], hierarchy=hierarchy) == Level("lsoa", 2011)  # retired in 2021
    assert detect_level([toy.B1, toy.CD], hierarchy=hierarchy) == Level("lsoa", 2021)  # new in 2021
    # unchanged codes are in both vintages: the latest is taken (same code, same area)
    assert detect_level([toy.A], hierarchy=hierarchy) == Level("lsoa", 2021)


def test_a_column_that_contradicts_its_codes_is_refused():
    with pytest.raises(GeographyError, match="says ward 2022 but its codes are LSOA"):
        detect_level(["E01006512"], column="ward22_code")


def test_mixed_levels_are_refused_with_a_way_out():
    with pytest.raises(GeographyError, match=r"mix levels \(1 LSOA, 1 MSOA\).*area_level"):
        detect_level(["E01006512", "E02001327"])


@pytest.mark.parametrize("bad", ["Liverpool 001A", "E0100651", "e01006512x"])
def test_a_value_that_is_not_a_gss_code_is_named(bad):
    with pytest.raises(GeographyError, match="is not a GSS code.*E01006512"):
        detect_level(["E01006512", bad])


def test_an_unknown_prefix_is_named():
    with pytest.raises(GeographyError, match="'E12'"):
        detect_level(["E12000002"])


def test_missing_codes_are_counted():
    with pytest.raises(GeographyError, match="2 area code"):
        detect_level(pd.Series(["E01006512", None, None]))


@pytest.mark.parametrize(
    "text, level",
    [
        ("lsoa11", Level("lsoa", 2011)),
        ("LSOA 2021", Level("lsoa", 2021)),
        ("ward 2022", Level("ward", 2022)),
        ("LAD 2022", Level("lad", 2022)),
        ("lad22", Level("lad", 2022)),
        ("msoa21", Level("msoa", 2021)),
        ("local authority", Level("lad")),
        ("lcr", Level("cauth")),
        ("cauth22", Level("cauth", 2022)),
    ],
)
def test_levels_are_read_from_text(text, level):
    assert parse_level(text) == level


def test_an_unknown_level_name_lists_the_known_ones():
    with pytest.raises(GeographyError, match="'lsoa11', 'LSOA 2021'"):
        parse_level("postcode sector")


def test_a_level_names_its_columns_and_reads_well():
    level = Level("ward", 2022)
    assert (level.key, level.code_column, level.name_column, str(level)) == (
        "ward22",
        "ward22_code",
        "ward22_name",
        "ward 2022",
    )


def test_the_area_column_of_a_frame_is_the_finest_code_column():
    frame = pd.DataFrame({"lad22_code": ["E08000012"], "lsoa11_code": ["E01006512"]})
    assert frame_level(frame) == ("lsoa11_code", Level("lsoa", 2011))


def test_a_census_frame_takes_its_level_from_area_level():
    frame = pd.DataFrame({"area_code": ["E01006512"], "area_level": ["lsoa21"]})
    assert frame_level(frame) == ("area_code", Level("lsoa", 2021))


def test_a_census_frame_with_mixed_rows_must_be_filtered_first():
    frame = pd.DataFrame({"area_code": ["E01006512", "E02001327"], "area_level": ["lsoa21", "msoa21"]})
    with pytest.raises(GeographyError, match="frame\\[frame\\['area_level'\\] == 'lsoa21'\\]"):
        frame_level(frame)


def test_a_frame_without_codes_is_told_to_name_its_column():
    with pytest.raises(GeographyError, match="area='COLUMN'"):
        frame_level(pd.DataFrame({"place": ["Anfield"]}))
