"""check_output on tables made with plain pandas: one small crafted table per case."""

import json

import numpy as np
import pandas as pd
import pytest

from commons_kernel.disclosure import DisclosureReport, check_output
from commons_kernel.exceptions import DisclosureRisk, ValidationFailed

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def commons_defaults(monkeypatch):
    for name in ["THRESHOLD", "P_RATIO", "NK_N", "NK_K", "DOF"]:
        monkeypatch.delenv(f"COMMONS_DISCLOSURE_{name}", raising=False)


def counts(rows: dict[str, list], columns=("f", "m")) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(columns)).rename_axis("area")


def cell(report: DisclosureReport, row, column) -> dict:
    found = report.cells[(report.cells["row"] == row) & (report.cells["column"] == column)]
    assert len(found) == 1
    return found.iloc[0].to_dict()


def contributions(cells: dict[str, list[float]]) -> pd.DataFrame:
    """One row per contributor: the group it belongs to and the amount it contributes."""
    return pd.DataFrame([{"business": name, "turnover": value} for name, values in cells.items() for value in values])


def magnitude_report(cells: dict[str, list[float]], **kwargs) -> DisclosureReport:
    data = contributions(cells)
    table = data.groupby("business")[["turnover"]].sum()
    return check_output(table, data=data, index="business", values="turnover", **kwargs)


# Counts --------------------------------------------------------------------------------------------------------


def test_small_cells_fail_and_are_blank_in_the_suppressed_copy():
    table = counts({"a": [12, 3], "b": [40, 25]})
    report = check_output(table)
    assert cell(report, "a", "m")["status"] == "fail"
    assert cell(report, "a", "m")["rules"] == "threshold"
    assert cell(report, "a", "m")["reasons"] == "fewer than 10 records"
    assert [cell(report, r, c)["status"] for r, c in [("a", "f"), ("b", "f"), ("b", "m")]] == ["pass"] * 3
    assert report.status == "fail" and not report.passed
    assert pd.isna(report.suppressed.loc["a", "m"])
    assert report.suppressed.loc["a", "f"] == 12
    assert str(report.suppressed["m"].dtype) == "Int64"  # counts stay whole numbers
    assert table.loc["a", "m"] == 3  # the input is left alone


def test_a_table_with_no_small_cells_passes():
    report = check_output(counts({"a": [12, 10], "b": [40, 25]}))
    assert report.passed and report.status == "pass" and report.releasable
    assert report.suppressed.equals(counts({"a": [12, 10], "b": [40, 25]}))


def test_zero_cells_fail_as_zeros_and_as_small():
    report = check_output(counts({"a": [12, 0], "b": [40, 25]}))
    assert cell(report, "a", "m")["status"] == "fail"
    assert cell(report, "a", "m")["rules"] == "threshold, zeros"


def test_a_dataset_cannot_say_zeros_are_not_disclosive():
    metadata = {"name": "census2021_ts001", "disclosure": {"zeros_are_disclosive": False}}
    report = check_output(counts({"a": [12, 0], "b": [40, 3]}), metadata=metadata)
    assert cell(report, "a", "m")["status"] == "fail"  # looser than the commons' rule: ignored
    assert cell(report, "b", "m")["status"] == "fail"


def test_a_dataset_cannot_lower_the_threshold():
    metadata = {"name": "mine", "disclosure": {"threshold": 1}}
    report = check_output(counts({"a": [12, 6], "b": [40, 25]}), metadata=metadata)
    assert cell(report, "a", "m")["status"] == "fail" and report.thresholds.threshold == 10


def test_missing_cells_need_review_and_are_kept():
    report = check_output(counts({"a": [12, np.nan], "b": [40, 25]}))
    missing = cell(report, "a", "m")
    assert (missing["status"], missing["rules"]) == ("review", "missing")
    assert report.status == "review" and report.needs_review and not report.releasable
    with pytest.raises(DisclosureRisk, match="need review"):
        report.check_releasable()


def test_negative_counts_fail_the_threshold():
    report = check_output(counts({"a": [12, -2], "b": [40, 25]}))
    assert cell(report, "a", "m")["status"] == "fail"
    assert "threshold" in cell(report, "a", "m")["rules"]


def test_threshold_comes_from_the_settings(monkeypatch):
    monkeypatch.setenv("COMMONS_DISCLOSURE_THRESHOLD", "30")
    report = check_output(counts({"a": [12, 31], "b": [40, 25]}))
    assert cell(report, "b", "m")["status"] == "fail"
    assert cell(report, "b", "m")["reasons"] == "fewer than 30 records"
    assert report.thresholds.threshold == 30


def test_threshold_comes_from_a_dataset_override():
    table = counts({"a": [12, 15], "b": [40, 25]})
    assert check_output(table).passed
    strict = check_output(table, metadata={"name": "synthetic_referrals", "disclosure": {"threshold": 20}})
    assert [r for r in strict.failed_cells["row"] + strict.failed_cells["column"]] == ["af", "am"]


def test_a_series_is_a_one_column_table():
    report = check_output(pd.Series([25, 4], index=["a", "b"], name="visits"))
    assert list(report.cells["status"]) == ["pass", "fail"]
    assert list(report.cells["column"]) == ["visits", "visits"]


def test_a_text_column_is_refused_with_a_hint():
    with pytest.raises(ValidationFailed, match=r"set_index"):
        check_output(pd.DataFrame({"area": ["a", "b"], "n": [12, 14]}))


# Counts from the rows a table was made from -------------------------------------------------------------------


def people() -> pd.DataFrame:
    groups = {("a", "f"): 12, ("a", "m"): 3, ("b", "f"): 20, ("b", "m"): 11}
    return pd.DataFrame([{"area": a, "sex": s} for (a, s), n in groups.items() for _ in range(n)])


def test_counts_are_taken_from_the_data_a_table_was_made_from():
    data = people()
    table = pd.crosstab(data["area"], data["sex"]) * 100  # the table's own numbers are not counts here
    report = check_output(table, data=data, index="area", columns="sex")
    assert list(report.failed_cells[["row", "column"]].itertuples(index=False, name=None)) == [("a", "m")]


def test_a_margins_row_is_refused_with_a_hint():
    data = people()
    table = pd.crosstab(data["area"], data["sex"], margins=True)
    with pytest.raises(ValidationFailed, match="'All'"):
        check_output(table, data=data, index="area", columns="sex")


# Magnitudes: dominance needs the contributors ------------------------------------------------------------------

SPREAD = [10.0] * 12  # twelve equal contributors: nothing dominates


def test_nk_rule_two_largest_hold_ninety_percent():
    report = magnitude_report({"dominated": [100, 95] + [1.2] * 10, "spread": SPREAD})
    dominated = cell(report, "dominated", "turnover")
    assert dominated["status"] == "fail"
    assert dominated["rules"] == "nk"  # the rest (12) are 12% of the largest: the p-ratio rule passes
    assert dominated["reasons"] == "the 2 largest contributors hold 90% or more of the total"
    assert cell(report, "spread", "turnover")["status"] == "pass"
    assert pd.isna(report.suppressed.loc["dominated", "turnover"])


def test_p_ratio_rule_with_a_dataset_override():
    cells = {"two_big": [100, 50] + [3.0] * 10, "spread": SPREAD}  # the rest are 30% of the largest
    assert magnitude_report(cells).passed
    report = magnitude_report(cells, metadata={"disclosure": {"p_ratio": 0.5}})
    assert cell(report, "two_big", "turnover")["rules"] == "p-ratio"
    assert cell(report, "spread", "turnover")["status"] == "pass"


def test_p_ratio_rule_at_the_default():
    report = magnitude_report({"one_big": [100, 5] + [0.5] * 10, "spread": SPREAD})
    assert "p-ratio" in cell(report, "one_big", "turnover")["rules"].split(", ")


def test_few_contributors_fail_the_threshold_in_a_magnitude_table():
    report = magnitude_report({"few": [30.0, 31.0, 29.0], "spread": SPREAD})
    assert "threshold" in cell(report, "few", "turnover")["rules"].split(", ")


def test_negative_contributions_need_review_and_dominance_is_still_checked_elsewhere():
    report = magnitude_report(
        {
            "with_refund": [10.0] * 11 + [-5.0],
            "dominated": [100, 95] + [1.2] * 10,
            "spread": SPREAD,
        }
    )
    refund = cell(report, "with_refund", "turnover")
    assert (refund["status"], refund["rules"]) == ("review", "negative")
    assert cell(report, "dominated", "turnover")["status"] == "fail"
    assert cell(report, "spread", "turnover")["status"] == "pass"


def test_missing_contributor_values_need_review():
    report = magnitude_report({"gap": [10.0] * 11 + [np.nan], "spread": SPREAD})
    gap = cell(report, "gap", "turnover")
    assert (gap["status"], gap["rules"]) == ("review", "missing")


def test_a_two_way_magnitude_table():
    data = pd.DataFrame(
        {
            "area": ["a"] * 24 + ["b"] * 14,
            "sex": ["f"] * 12 + ["m"] * 12 + ["f"] * 12 + ["m"] * 2,
            "income": [10.0] * 12 + [500, 400] + [1.0] * 10 + [10.0] * 14,
        }
    )
    table = data.pivot_table(index="area", columns="sex", values="income", aggfunc="mean")
    report = check_output(table, data=data, index="area", columns="sex", values="income")
    statuses = {(r, c): s for r, c, s in report.cells[["row", "column", "status"]].itertuples(index=False)}
    assert statuses == {("a", "f"): "pass", ("a", "m"): "fail", ("b", "f"): "pass", ("b", "m"): "fail"}
    assert cell(report, "a", "m")["rules"] == "nk, p-ratio"
    assert "threshold" in cell(report, "b", "m")["rules"]


# The report ----------------------------------------------------------------------------------------------------


def test_to_dict_is_json_and_leaves_values_out_unless_asked():
    report = check_output(counts({"a": [12, 3], "b": [40, 25]}), label="visits by area")
    document = json.loads(json.dumps(report.to_dict()))
    assert document["status"] == "fail" and document["label"] == "visits by area"
    assert document["thresholds"]["threshold"] == 10
    failing = [c for c in document["cells"] if c["status"] == "fail"]
    assert failing == [
        {"row": "a", "column": "m", "status": "fail", "rules": ["threshold"], "reasons": ["fewer than 10 records"]}
    ]
    assert "value" not in document["cells"][0]
    assert json.loads(json.dumps(report.to_dict(include_values=True)))["cells"][1]["value"] == 3


def test_summary_names_status_counts_and_rules():
    report = check_output(counts({"a": [12, 0], "b": [np.nan, 25]}))
    assert report.summary.startswith("fail: 4 cells checked; 1 fail; 1 need review")
    assert "threshold (1), zeros (1), missing (1)" in report.summary
    assert "threshold 10" in str(report)


def test_a_failing_but_review_free_report_is_releasable_once_suppressed():
    report = check_output(counts({"a": [12, 3], "b": [40, 25]}))
    report.check_releasable()  # failing cells are blank in the copy; nothing needs a person
    assert report.releasable


# The registry --------------------------------------------------------------------------------------------------


@pytest.fixture
def restore_rules():
    from commons_kernel.disclosure import RULES

    saved = dict(RULES)
    yield
    RULES.clear()
    RULES.update(saved)


def test_a_registered_rule_is_applied_like_the_built_in_ones(restore_rules):
    from commons_kernel.disclosure import Rule, register_rule

    def whole_population(sdc_checks, evidence, model):
        mask = evidence.interim_tables["count_table"] >= 1000
        return ("review" if mask.to_numpy().any() else "pass"), "", mask

    register_rule(
        Rule("whole-population", "review", "counts", lambda t: "a count of 1000 or more: a census?", whole_population)
    )
    report = check_output(counts({"a": [12, 1500], "b": [40, 25]}))
    assert (cell(report, "a", "m")["status"], cell(report, "a", "m")["rules"]) == ("review", "whole-population")
    assert cell(report, "a", "m")["reasons"] == "a count of 1000 or more: a census?"


def test_a_rule_with_an_unknown_status_is_refused():
    from commons_kernel.disclosure import Rule, register_rule

    with pytest.raises(ValueError, match="status must be"):
        register_rule(Rule("odd", "warn", "counts", lambda t: "", None))
