"""link(): the common level, the conversions it makes, the period join and its refusals."""

import pandas as pd
import pytest

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography import Level, common_level, link
from tests.unit import geo_toy as toy

pytestmark = pytest.mark.unit


def census_2021() -> pd.DataFrame:
    return pd.DataFrame(
        {"area_code": [toy.A, toy.B1, toy.B2, toy.CD], "area_level": ["lsoa21"] * 4, "total": [101, 299, 102, 405]}
    )


def test_lsoa_2011_data_is_converted_to_2021_to_meet_2021_data():
    joined = link(
        toy.lsoa11_frame(),
        census_2021(),
        hierarchy=toy.hierarchy(),
        sums=["cases", "population"],
        means={"score": "population"},
        shares={"most_deprived": "decile == 1"},
    )
    row = joined.set_index("lsoa21_code")
    assert row.loc[toy.CD, "cases"] == 12 and row.loc[toy.CD, "total"] == 405
    assert row.loc[toy.CD, "score"] == pytest.approx(4.25)
    assert row.loc[toy.B1, "most_deprived"] == 1.0
    assert len(joined) == 4 and list(joined.columns[:2]) == ["lsoa21_code", "lsoa21_name"]
    assert joined.attrs["method"].startswith("Linked on LSOA 2021 (inner join).")
    assert "frame a: LSOA 2011 → LSOA 2021" in joined.attrs["method"]
    assert "frame b: already LSOA 2021" in joined.attrs["method"]
    assert joined.attrs["method_details"]["b"] is None


def test_the_finer_frame_is_aggregated_to_the_coarser_one():
    wards = pd.DataFrame({"ward22_code": [toy.W1, toy.W2], "visits": [7, 9]})
    joined = link(
        toy.lsoa11_frame(),
        wards,
        hierarchy=toy.hierarchy(),
        sums=["cases", "population"],
        means={"score": "population"},
        shares={"most_deprived": "decile == 1"},
    )
    assert joined.set_index("ward22_code")["cases"].to_dict() == {toy.W1: 50, toy.W2: 12}
    assert "visits" in joined.columns and joined["ward22_name"].tolist() == ["W1", "W2"]


def test_a_common_period_column_is_joined_on():
    a = pd.concat([toy.lsoa11_frame().assign(month=m) for m in ("2021-11", "2021-12")])[
        ["lsoa11_code", "month", "cases"]
    ]
    b = pd.DataFrame({"lad22_code": [toy.X, toy.Y], "month": ["2021-12", "2021-12"], "staff": [3, 4]})
    joined = link(a, b, hierarchy=toy.hierarchy(), sums=["cases"])
    assert joined[["lad22_code", "month", "cases", "staff"]].values.tolist() == [
        [toy.X, "2021-12", 50, 3],
        [toy.Y, "2021-12", 12, 4],
    ]
    assert "Linked on LAD 2022, month" in joined.attrs["method"]
    outer = link(a, b, hierarchy=toy.hierarchy(), sums=["cases"], how="outer")
    assert len(outer) == 4 and outer["staff"].isna().sum() == 2


def test_to_chooses_the_level_explicitly():
    joined = link(
        toy.lsoa11_frame()[["lsoa11_code", "cases"]],
        census_2021(),
        hierarchy=toy.hierarchy(),
        to="lad22",
        sums=["cases", "total"],
    )
    assert joined.set_index("lad22_code")["total"].to_dict() == {toy.X: 502, toy.Y: 405}


def test_a_column_without_a_rule_is_refused_rather_than_guessed():
    with pytest.raises(GeographyError, match=r"no rule for column\(s\) \['score', 'decile', 'population'\]"):
        link(toy.lsoa11_frame(), census_2021(), hierarchy=toy.hierarchy(), sums=["cases"])


def test_the_frames_must_both_have_the_period_asked_for():
    with pytest.raises(GeographyError, match="frame b has no column"):
        link(
            toy.lsoa11_frame().assign(month="2021-12"),
            census_2021(),
            hierarchy=toy.hierarchy(),
            period="month",
            sums=["cases", "population"],
            means={"score": "population", "decile": None},
        )


def test_common_level_prefers_the_newer_vintage_then_the_coarser_kind():
    assert common_level(Level("lsoa", 2011), Level("lsoa", 2021)) == Level("lsoa", 2021)
    assert common_level(Level("lsoa", 2021), Level("ward", 2022)) == Level("ward", 2022)
    assert common_level(Level("lad", 2022), Level("msoa", 2021)) == Level("lad", 2022)
