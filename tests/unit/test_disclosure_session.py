"""disclosure.Session: ACRO's checked tables and models with the commons thresholds."""

import json
import logging
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from commons_kernel.disclosure import Session, add_constant
from commons_kernel.disclosure.acro_bridge import acro, quiet_acro
from commons_kernel.exceptions import ValidationFailed

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def commons_defaults(monkeypatch):
    for name in ["THRESHOLD", "P_RATIO", "NK_N", "NK_K", "DOF"]:
        monkeypatch.delenv(f"COMMONS_DISCLOSURE_{name}", raising=False)


@pytest.fixture
def session(tmp_path):
    return Session(output_dir=tmp_path / "acro")


def people(groups: dict[tuple[str, str], int]) -> pd.DataFrame:
    """One row per person; incomes close together, so no one dominates a cell."""
    rows = [{"area": a, "sex": s} for (a, s), n in groups.items() for _ in range(n)]
    frame = pd.DataFrame(rows)
    frame["income"] = 1000.0 + (np.arange(len(frame)) % 7) * 10
    return frame


SMALL_CELL = {("a", "f"): 12, ("a", "m"): 3, ("b", "f"): 20, ("b", "m"): 11}


def shown(table: pd.DataFrame) -> set:
    return {(r, c) for r in table.index for c in table.columns if pd.notna(table.loc[r, c])}


# Tables --------------------------------------------------------------------------------------------------------


def test_crosstab_suppresses_small_cells(session):
    data = people(SMALL_CELL)
    table = session.crosstab(data["area"], data["sex"])
    assert shown(table) == {("a", "f"), ("b", "f"), ("b", "m")}
    assert table.loc["b", "m"] == 11
    assert session.report().cells.set_index(["row", "column"]).loc[("a", "m"), "rules"] == "threshold"


def test_crosstab_threshold_from_the_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMONS_DISCLOSURE_THRESHOLD", "15")
    data = people(SMALL_CELL)
    table = Session(output_dir=tmp_path).crosstab(data["area"], data["sex"])
    assert shown(table) == {("b", "f")}


def test_crosstab_threshold_from_a_dataset_override(tmp_path):
    data = people(SMALL_CELL)
    metadata = {"name": "synthetic_referrals", "disclosure": {"threshold": 12}}
    session = Session(metadata=metadata, output_dir=tmp_path)
    assert session.thresholds.threshold == 12
    assert shown(session.crosstab(data["area"], data["sex"])) == {("a", "f"), ("b", "f")}


def test_without_suppression_the_table_is_returned_whole_and_fails(tmp_path, caplog):
    data = people(SMALL_CELL)
    session = Session(suppress=False, output_dir=tmp_path)
    table = session.crosstab(data["area"], data["sex"])
    assert table.loc["a", "m"] == 3
    assert session.results()["outputs"]["output_0"]["status"] == "fail"


# The multi-aggfunc quirk (STACK-NOTES): pivot_table(aggfunc=["mean","std"]) with suppress=True ---------------

QUIRK = {("a", "f"): 15, ("a", "m"): 15, ("b", "f"): 15, ("b", "m"): 4}


def test_acro_alone_still_blanks_every_cell():
    """The upstream behaviour the session works around; if this fails, ACRO has fixed it."""
    with quiet_acro():
        raw = acro.ACRO(suppress=True).pivot_table(
            people(QUIRK), values="income", index="area", columns="sex", aggfunc=["mean", "std"]
        )
    assert raw.isna().all().all()


def test_mean_and_std_keep_their_safe_cells(session):
    data = people(QUIRK)
    table = session.pivot_table(data, values="income", index="area", columns="sex", aggfunc=["mean", "std"])
    expected = data.pivot_table(values="income", index="area", columns="sex", aggfunc=["mean", "std"])
    safe = {("a", "f"), ("a", "m"), ("b", "f")}
    assert shown(table["mean"]) == safe
    assert shown(table["std"]) == safe
    for row, column in safe:
        for statistic in ("mean", "std"):
            assert table.loc[row, (statistic, column)] == pytest.approx(expected.loc[row, (statistic, column)])


def test_std_alone_keeps_its_safe_cells(session):
    data = people(QUIRK)
    table = session.pivot_table(data, values="income", index="area", columns="sex", aggfunc="std")
    assert shown(table) == {("a", "f"), ("a", "m"), ("b", "f")}


def test_each_statistic_is_judged_by_its_own_rules(session):
    # 10 people: enough for a mean (threshold 10), too few for a std (9 residual degrees of freedom < 10)
    data = people({("a", "f"): 15, ("a", "m"): 10})
    table = session.pivot_table(data, values="income", index="area", columns="sex", aggfunc=["mean", "std"])
    assert shown(table["mean"]) == {("a", "f"), ("a", "m")}
    assert shown(table["std"]) == {("a", "f")}
    cells = session.report().cells
    flagged = cells[cells["status"] == "fail"]
    assert list(zip(flagged["column"], flagged["rules"], strict=False)) == [(("std", "m"), "dof")]


def test_a_multi_aggfunc_table_is_one_output(session):
    data = people(QUIRK)
    session.pivot_table(data, values="income", index="area", columns="sex", aggfunc=["mean", "std"])
    session.crosstab(data["area"], data["sex"])
    assert session.outputs() == ["output_0", "output_1"]
    first = session.results()["outputs"]["output_0"]
    assert first["properties"]["aggfunc"] == ["mean", "std"]
    assert first["sdc"]["summary"]["MinimumDoFCheck"] == 1
    assert first["sdc"]["cells"]["MinimumDoFCheck"] == [[1, 3]]  # b/m in the std half of the table
    assert first["outcome"]["columns"][3] == ["std", "m"]


# Models --------------------------------------------------------------------------------------------------------


def design(rows: int, regressors: int) -> tuple[pd.Series, pd.DataFrame]:
    x = pd.DataFrame({f"x{i}": np.sin(np.arange(rows) * (i + 1.3)) for i in range(regressors)})
    y = pd.Series(x.sum(axis=1) + np.cos(np.arange(rows)), name="y")
    return y, add_constant(x)


def test_a_regression_with_too_few_residual_dof_fails(session, caplog):
    y, x = design(rows=12, regressors=3)  # 12 - 4 parameters = 8 residual degrees of freedom
    with caplog.at_level(logging.WARNING, logger="commons_kernel.disclosure"):
        session.ols(y, x)
    output = session.results()["outputs"]["output_0"]
    assert (output["status"], output["properties"]["dof"]) == ("fail", 8)
    assert "output_0 (ols) fails the disclosure checks" in caplog.text
    report = session.report()
    assert report.status == "fail" and report.cells.loc[0, "rules"] == "dof"


def test_a_regression_with_enough_residual_dof_passes(session):
    y, x = design(rows=40, regressors=1)
    result = session.ols(y, x)
    assert result.df_resid == 38
    assert session.results()["outputs"]["output_0"]["status"] == "pass"


def test_the_dof_threshold_comes_from_the_dataset(tmp_path):
    y, x = design(rows=40, regressors=1)
    session = Session(metadata={"disclosure": {"dof": 50}}, output_dir=tmp_path)
    session.ols(y, x)
    assert session.results()["outputs"]["output_0"]["status"] == "fail"


def test_logit_probit_and_formulas(session):
    x = np.linspace(-2, 2, 40)
    data = pd.DataFrame({"x": x, "y": ((x + 1.5 * np.sin(7 * x)) > 0).astype(int)})
    session.logit(data["y"], add_constant(data[["x"]]))
    session.probit(data["y"], add_constant(data[["x"]]))
    session.olsr("y ~ x", data)
    outputs = session.results()["outputs"]
    assert [o["properties"]["method"] for o in outputs.values()] == ["logit", "probit", "olsr"]
    assert [o["status"] for o in outputs.values()] == ["pass", "pass", "pass"]


# Results, files ------------------------------------------------------------------------------------------------


def test_results_are_json_with_the_analysts_commands(session):
    data = people(SMALL_CELL)
    session.crosstab(data["area"], data["sex"])
    document = json.loads(json.dumps(session.results()))
    assert document["tool"] == {"name": "ACRO", "version": "1.0.2"}
    assert document["thresholds"]["threshold"] == 10 and document["suppress"] is True
    output = document["outputs"]["output_0"]
    assert output["command"] == 'session.crosstab(data["area"], data["sex"])'
    assert output["status"] == "review"  # ACRO marks every suppressed table for review
    assert output["sdc"]["summary"]["MinimumThresholdCheck"] == 1


def test_nothing_is_written_to_the_working_directory(tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    session = Session()
    data = people(SMALL_CELL)
    session.crosstab(data["area"], data["sex"])
    session.pivot_table(data, values="income", index="area", aggfunc=["mean", "std"])
    session.ols(*design(rows=40, regressors=1))
    picture = session.hist(data, "income", bins=2)
    plt.close("all")
    assert picture.is_file() and session.output_dir in picture.parents
    release = session.finalise()
    assert list(cwd.iterdir()) == []
    assert session.output_dir.parent == tmp_path / "tmp"
    assert (release / picture.name).is_file()  # ACRO moves plots into the release folder
    assert (release / "results.json").is_file() and release.parent == session.output_dir
    assert set(json.loads((release / "results.json").read_text())["results"]) == set(session.outputs())


def test_finalise_writes_a_new_folder_only(session, tmp_path):
    data = people(SMALL_CELL)
    with pytest.raises(ValidationFailed, match="no outputs"):
        session.finalise()
    session.crosstab(data["area"], data["sex"])
    (tmp_path / "taken").mkdir()
    with pytest.raises(FileExistsError, match="choose another path"):
        session.finalise(tmp_path / "taken")
    assert session.finalise(tmp_path / "release") == tmp_path / "release"
    assert session.finalise() == session.output_dir / "release-0"


def test_report_of_an_unknown_output_lists_the_known_ones(session):
    data = people(SMALL_CELL)
    session.crosstab(data["area"], data["sex"])
    with pytest.raises(ValidationFailed, match="output_0"):
        session.report("output_9")
