"""aggregate() on the hand-checkable toy hierarchy: splits, merges, weights, shares, ratios and stated methods."""

import pandas as pd
import pytest

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography import aggregate
from tests.unit import geo_toy as toy

pytestmark = pytest.mark.unit


def by_code(result, column):
    code = [c for c in result.columns if c.endswith("_code")][0]
    return result.set_index(code)[column].to_dict()


def test_counts_of_a_split_lsoa_are_shared_by_the_population_of_its_parts():
    result = aggregate(toy.lsoa11_frame(), to="lsoa21", hierarchy=toy.hierarchy(), sums=["cases"])
    # B (40 cases) splits into B1 (pop 300) and B2 (pop 100); C and D merge into CD
    assert by_code(result, "cases") == {toy.A: 10, toy.B1: 30, toy.B2: 10, toy.CD: 12}
    assert "in proportion to population of the LSOA 2021 areas" in result.attrs["method"]


def test_scores_of_merged_lsoas_are_averaged_with_their_weights():
    result = aggregate(toy.lsoa11_frame(), to="lsoa21", hierarchy=toy.hierarchy(), means={"score": "population"})
    # a split part keeps its parent's score; CD = (3 × 150 + 5 × 250) / 400
    assert by_code(result, "score") == {toy.A: 1.0, toy.B1: 2.0, toy.B2: 2.0, toy.CD: 4.25}
    assert "score: mean of score weighted by population" in result.attrs["method"]


def test_going_back_from_2021_shares_a_merged_lsoa_by_2011_populations():
    frame = pd.DataFrame({"lsoa21_code": [toy.A, toy.B1, toy.B2, toy.CD], "cases": [10, 30, 10, 40]})
    result = aggregate(frame, to="lsoa11", hierarchy=toy.hierarchy(), sums=["cases"])
    assert by_code(result, "cases") == {toy.A: 10, toy.B: 40, toy.C: 15, toy.D: 25}
    assert "population of the LSOA 2011 areas" in result.attrs["method"]


def test_without_weights_a_split_is_equal_and_the_method_says_so():
    result = aggregate(toy.lsoa11_frame(), to="lsoa21", hierarchy=toy.hierarchy(weights=False), sums=["cases"])
    assert by_code(result, "cases")[toy.B1] == 20
    assert "split equally among its parts (no weights given)" in result.attrs["method"]


def test_upwards_counts_sum_scores_average_and_shares_count_areas():
    result = aggregate(
        toy.lsoa11_frame(),
        to="lad22",
        hierarchy=toy.hierarchy(),
        sums=["cases"],
        means={"score": "population"},
        shares={"most_deprived": "decile == 1"},
        ratios={"cases_per_1000": ("cases", "population", 1000)},
    )
    row = result.set_index("lad22_code").loc[toy.X]
    assert row["cases"] == 50
    assert row["score"] == pytest.approx((1 * 100 + 2 * 400) / 500)
    assert row["most_deprived"] == 1.0
    assert row["cases_per_1000"] == pytest.approx(50 / 500 * 1000)
    other = result.set_index("lad22_code").loc[toy.Y]
    assert other["most_deprived"] == 0.0
    assert (row["lad22_name"], row["n_lsoa11"]) == ("X", 2)


def test_whole_counts_stay_whole_numbers_when_no_area_is_shared():
    result = aggregate(toy.lsoa11_frame(), to="lad22", hierarchy=toy.hierarchy(), sums=["cases"])
    assert str(result["cases"].dtype) == "Int64"


def test_a_share_can_be_weighted():
    result = aggregate(
        toy.lsoa11_frame(),
        to="lad22",
        hierarchy=toy.hierarchy(),
        shares={"people_in_decile_2": ("decile == 2", "population")},
    )
    assert by_code(result, "people_in_decile_2")[toy.Y] == pytest.approx(150 / 400)
    assert "share of population in LSOA 2011 areas where decile == 2" in result.attrs["method"]


def test_weights_can_come_from_another_dataset_as_a_series():
    frame = toy.lsoa11_frame().drop(columns="population")
    result = aggregate(frame, to="ward22", hierarchy=toy.hierarchy(), means={"score": toy.POP11})
    assert by_code(result, "score")[toy.W2] == pytest.approx(4.25)
    assert "weighted by pop11" in result.attrs["method"]


def test_an_unweighted_mean_is_stated_as_such():
    result = aggregate(toy.lsoa11_frame(), to="lad22", hierarchy=toy.hierarchy(), means={"score": None})
    assert by_code(result, "score")[toy.Y] == 4.0
    assert "unweighted mean of score (each LSOA 2011 area counts once)" in result.attrs["method"]


def test_missing_values_are_left_out_of_a_mean_not_counted_as_zero():
    frame = toy.lsoa11_frame()
    frame.loc[frame["lsoa11_code"] == toy.D, "score"] = None
    result = aggregate(frame, to="lad22", hierarchy=toy.hierarchy(), means={"score": "population"})
    assert by_code(result, "score")[toy.Y] == 3.0


def test_by_keeps_periods_apart():
    frame = pd.concat([toy.lsoa11_frame().assign(month="2021-11"), toy.lsoa11_frame().assign(month="2021-12")])
    frame.loc[frame["month"] == "2021-12", "cases"] *= 2
    result = aggregate(frame, to="lad22", hierarchy=toy.hierarchy(), sums=["cases"], by="month")
    x = result[result["lad22_code"] == toy.X].set_index("month")["cases"]
    assert x.to_dict() == {"2021-11": 50, "2021-12": 100}
    assert "Kept apart by month." in result.attrs["method"]


def test_method_details_are_structured_too():
    result = aggregate(toy.lsoa11_frame(), to="ward 2022", hierarchy=toy.hierarchy(), means={"score": "population"})
    details = result.attrs["method_details"]
    assert details["from"] == "lsoa11" and details["to"] == "ward22"
    assert details["measures"]["score"] == {
        "rule": "weighted_mean",
        "column": "score",
        "weights": "population",
        "condition": None,
        "denominator": None,
        "per": 1.0,
    }


def test_codes_outside_the_hierarchy_are_refused_with_a_filter_to_use():
    frame = pd.concat([toy.lsoa11_frame(), pd.DataFrame({"lsoa11_code": ["E01099999"], "cases": [1]})])
    with pytest.raises(GeographyError, match=r"1 LSOA 2011 code\(s\).*E01099999.*hierarchy.codes\('lsoa11'\)"):
        aggregate(frame, to="lad22", hierarchy=toy.hierarchy(), sums=["cases"])


def test_nothing_to_compute_is_refused():
    with pytest.raises(GeographyError, match="Say what to compute"):
        aggregate(toy.lsoa11_frame(), to="lad22", hierarchy=toy.hierarchy())


def test_text_numbers_are_refused_with_the_fix():
    frame = toy.lsoa11_frame().assign(cases=["1,000", "2", "3", "4"])
    with pytest.raises(GeographyError, match="not numeric.*to_numeric"):
        aggregate(frame, to="lad22", hierarchy=toy.hierarchy(), sums=["cases"])


def test_weights_missing_for_an_area_are_refused():
    with pytest.raises(GeographyError, match="no value for 1 area"):
        aggregate(toy.lsoa11_frame(), to="lad22", hierarchy=toy.hierarchy(), means={"score": toy.POP11.iloc[:3]})


def test_a_level_the_hierarchy_lacks_is_named():
    with pytest.raises(GeographyError, match="no combined authority level"):
        aggregate(toy.lsoa11_frame(), to="lcr", hierarchy=toy.hierarchy(), sums=["cases"])


def test_aggregating_downwards_is_refused_with_a_suggestion():
    frame = pd.DataFrame({"lad22_code": [toy.X], "cases": [1]})
    with pytest.raises(GeographyError, match="cannot convert LAD 2022 to LSOA 2011"):
        aggregate(frame, to="lsoa11", hierarchy=toy.hierarchy(), sums=["cases"])


def test_a_bad_share_condition_says_how_to_write_one():
    with pytest.raises(GeographyError, match="imd_decile == 1"):
        aggregate(toy.lsoa11_frame(), to="lad22", hierarchy=toy.hierarchy(), shares={"s": "no_such_column > 1"})


def test_without_a_hierarchy_the_error_says_where_to_get_one():
    with pytest.raises(GeographyError, match=r"hierarchy=ck.hierarchy\(\)"):
        aggregate(toy.lsoa11_frame(), to="lad22", sums=["cases"])
