"""Objects → release outputs, and the checks the kernel and the data-api both run on them."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import statsmodels.api as sm  # noqa: E402

from commons_kernel import disclosure  # noqa: E402
from commons_kernel.exceptions import DisclosureRisk, ValidationFailed  # noqa: E402
from commons_kernel.release_outputs import (  # noqa: E402
    Output,
    check_file,
    check_model_text,
    check_table,
    count_columns,
    table_from_parquet,
    table_to_parquet,
)
from commons_kernel.releases import check_outputs, to_output, to_outputs  # noqa: E402

pytestmark = pytest.mark.unit

T = disclosure.Thresholds()  # ACRO's defaults: threshold 10, dof 10


def weekly(small: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"Knowsley": [38, 105, 102], "Halton": [39, 3 if small else 42, 37]},
        index=pd.Index(["2024-01-29", "2024-02-05", "2024-02-12"], name="week_start"),
    )
    return frame


def test_count_columns_are_whole_numbers_even_after_suppression():
    frame = pd.DataFrame(
        {"n": [12, 30], "blanked": [np.nan, 14.0], "rate": [1.5, 2.25], "flag": [True, False], "name": ["a", "b"]}
    )
    assert count_columns(frame) == ["n", "blanked"]


def test_a_table_of_large_counts_passes_and_a_small_count_fails():
    assert check_table(weekly(), T, "weekly").status == "pass"
    result = check_table(weekly(small=True), T, "weekly")
    assert result.status == "fail"
    assert result.failing == ["(2024-02-05, Halton): fewer than 10 records"]
    assert "3" not in "".join(result.failing)  # the failing list names cells, never their values


def test_magnitudes_are_left_for_the_checkers():
    frame = pd.DataFrame({"mean_score": [43.1, 42.4]}, index=["Knowsley", "Liverpool"])
    result = check_table(frame, T)
    assert result.status == "review" and "not counts" in result.summary


def test_a_table_that_cannot_be_checked_fails():
    frame = pd.DataFrame({"n": [20, 30]}, index=["a", "a"])
    assert check_table(frame, T).status == "fail"


def test_parquet_round_trip_keeps_labels_and_flattens_column_levels():
    frame = pd.concat([weekly()], axis=1, keys=["count"])
    back = table_from_parquet(table_to_parquet(frame))
    assert list(back.columns) == ["count / Knowsley", "count / Halton"]
    assert back.index.name == "week_start" and back.iloc[1, 0] == 105


def test_model_summaries_are_checked_on_their_degrees_of_freedom():
    rng = np.random.default_rng(1)
    x = sm.add_constant(rng.normal(size=(40, 2)))
    big = sm.OLS(x @ [1, 2, 3] + rng.normal(size=40), x).fit()
    output = to_output("model", big)
    assert output.kind == "model" and check_file(output, T).status == "pass"
    small = sm.OLS(x[:12] @ [1, 2, 3] + rng.normal(size=12), x[:12]).fit()
    result = check_file(to_output("small_model", small), T)
    assert result.status == "fail" and "9 residual degrees of freedom" in result.summary
    assert check_model_text("no numbers here", T).status == "review"


def test_figures_must_be_png_and_go_to_review():
    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    output = to_output("chart", figure)
    plt.close(figure)
    assert output.kind == "figure" and check_file(output, T).status == "review"
    with pytest.raises(ValidationFailed, match="not a PNG"):
        check_file(Output("chart", "figure", b"GIF89a..."), T)


def test_output_names_must_be_file_names():
    with pytest.raises(ValidationFailed, match="cannot name a file"):
        Output("../../etc/passwd", "text", b"x")
    with pytest.raises(ValidationFailed, match="kinds are"):
        Output("x", "spreadsheet", b"x")


def test_payload_round_trip():
    output = Output("note", "text", b"Synthetic data: not real people.", exception=" why ")
    back = Output.from_payload(output.to_payload())
    assert (back.name, back.kind, back.content, back.exception) == ("note", "text", output.content, "why")
    with pytest.raises(ValidationFailed, match="not base64"):
        Output.from_payload({**output.to_payload(), "content": "***"})


def test_to_outputs_names_lists_and_rejects_unknown_objects():
    outputs, acro = to_outputs([weekly(), "A caption."])
    assert [(o.name, o.kind) for o in outputs] == [("output_1", "table"), ("output_2", "text")] and acro == []
    with pytest.raises(ValidationFailed, match="cannot be released"):
        to_outputs({"x": object()})
    with pytest.raises(ValidationFailed, match="not outputs"):
        to_outputs({"x": "text"}, exceptions={"y": "why"})


def test_a_session_contributes_its_outputs_and_acro_results():
    rng = np.random.default_rng(2)
    data = pd.DataFrame(
        {
            "y": rng.normal(size=200),
            "x": rng.normal(size=200),
            "area": rng.choice(["a", "b"], 200),
            "sex": rng.choice(["f", "m"], 200),
        }
    )
    session = disclosure.Session()
    session.crosstab(data["area"], data["sex"])
    session.olsr("y ~ x", data=data)
    outputs, acro = to_outputs(session)
    assert [(o.name, o.kind) for o in outputs] == [("output_0", "table"), ("output_1", "model")]
    assert acro[0]["tool"]["name"] == "ACRO" and set(acro[0]["outputs"]) == {"output_0", "output_1"}
    assert [r.status for r in check_outputs(outputs, T)] == ["pass", "pass"]
    named, _ = to_outputs({"chart_note": "A caption.", "analysis": session})
    assert [o.name for o in named] == ["chart_note", "analysis_output_0", "analysis_output_1"]


def test_check_outputs_refuses_failing_tables_and_teaches_the_fix():
    outputs, _ = to_outputs({"weekly": weekly(small=True)})
    with pytest.raises(DisclosureRisk) as caught:
        check_outputs(outputs, T)
    message = str(caught.value)
    assert "weekly: (2024-02-05, Halton): fewer than 10 records" in message
    assert "suppress_small_counts" in message and "exceptions=" in message


def test_an_exception_lets_a_failing_output_through_for_the_checkers():
    outputs, _ = to_outputs({"weekly": weekly(small=True)}, exceptions={"weekly": "published already by ONS"})
    assert [r.status for r in check_outputs(outputs, T)] == ["fail"]


def test_the_suppressed_copy_is_releasable():
    suppressed, _ = disclosure.suppress_small_counts(weekly(small=True))
    outputs, _ = to_outputs({"weekly": suppressed})
    assert check_outputs(outputs, T)[0].status in ("pass", "review")


def test_an_output_acro_failed_in_the_session_fails_here_too():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"x": rng.normal(size=300)})
    session = disclosure.Session()
    session.hist(data, "x")  # ACRO fails it: the extreme bins hold too few records
    outputs, _ = to_outputs(session)
    assert [(o.name, o.kind, o.details["acro"]) for o in outputs] == [("output_0", "figure", "fail")]
    with pytest.raises(DisclosureRisk, match="ACRO: the output fails its disclosure checks"):
        check_outputs(outputs, T)
    # a kernel can make a check stricter, never looser: claiming "pass" does not lift the server's checks
    claimed = Output("weekly", "table", table_to_parquet(weekly(small=True)), details={"acro": "pass"})
    assert check_file(claimed, T).status == "fail"
