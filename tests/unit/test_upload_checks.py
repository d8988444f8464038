"""Upload checks besides the bad-file manifest: file names, file types by content, formula injection, small
cells in aggregate counts, and the result handed to the data-api."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard.sniffing import sniff_file_type
from commons_kernel.upload_checks import (
    check_filename,
    check_upload,
    count_columns_of,
    filename_problem,
    find_formula_cells,
    neutralise_formulas,
    small_cell_risk,
)

pytestmark = pytest.mark.unit

METADATA = {
    "name": "foodbank_visits_ward22",
    "title": "Food bank visits by ward and month",
    "description": "One row per ward and month: visits to food banks in the Liverpool City Region.",
    "publisher": "A food bank network",
    "contact": "https://example.org/contact",
    "licence": "CC-BY-4.0",
    "update_frequency": "monthly",
    "methodology": "Counted at the door by volunteers, totalled per ward.",
    "geography": {"level": "ward", "vintage": "ward 2022", "code_column": "ward22_code"},
    "columns": [
        {"name": "ward22_code", "type": "gss_code"},
        {"name": "month", "type": "yearmonth"},
        {"name": "visits", "unit": "visits", "type": "count"},
        {"name": "note", "description": "Remark", "unit": None, "type": "string"},
    ],
}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def visits(values: list, notes: list | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "ward22_code": [f"E05000{910 + i}" for i in range(len(values))],
            "month": ["2022-01"] * len(values),
            "visits": values,
        }
    )
    frame["note"] = notes or [""] * len(values)
    return frame


@pytest.mark.parametrize("name", ["visits.csv", "Visits 2022 (final).xlsx", "données.csv", "a-b_c.parquet"])
def test_plain_file_names_are_kept_as_they_are(name):
    assert filename_problem(name) is None and check_filename(name) == name


@pytest.mark.parametrize(
    "name, says",
    [
        ("../x.csv", "upload it as `x.csv`"),
        ("a/b.csv", "upload it as `b.csv`"),
        ("/etc/passwd", "upload it as `passwd`"),
        ("..\\..\\x.csv", "upload it as `x.csv`"),
        ("C:x.csv", "is a path"),
        ("..", "upload it as `data.csv`"),
        ("x\x00.csv", "control character"),
        ("x\n.csv", "control character"),
        ("", "no file name"),
        (".htaccess", "starts with a dot"),
        ("con.csv", "reserved on Windows"),
        ("a?.csv", "contains one of"),
        ("x" * 300 + ".csv", "characters long"),
    ],
)
def test_unsafe_file_names_are_refused_with_the_name_to_use(name, says):
    with pytest.raises(ValidationFailed) as caught:
        check_filename(name)
    assert says in str(caught.value)
    assert caught.value.report.errors[0].code == "unsafe-filename"


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"a,b\n1,2\n", "csv"),
        (b"\xef\xbb\xbfa,b\n", "csv"),
        (b"PAR1....", "parquet"),
        (b"%PDF-1.7", "pdf"),
        (b"\x7fELF\x02", "executable"),
        (b"MZ\x90\x00", "executable"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"<!DOCTYPE html><html>", "html"),
        (b'{"a": 1}', "json"),
        (b"a,b\x00", "binary"),
    ],
)
def test_file_type_is_judged_by_content(head, kind):
    assert sniff_file_type(head) == kind


def test_formula_cells_are_found_and_neutralised_on_export():
    frame = pd.DataFrame(
        {
            "note": [
                '=HYPERLINK("http://x")',
                "+cmd|' /C calc'!A0",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "plain",
                "-12.5",
                "+44",
                None,
            ],
            "n": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        }
    )
    assert find_formula_cells(frame) == [("note", i) for i in range(6)]
    safe = neutralise_formulas(frame)
    assert list(safe["note"][:7]) == [
        '\'=HYPERLINK("http://x")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
    ]
    assert list(safe["note"][7:9]) == ["-12.5", "+44"] and pd.isna(safe["note"][9])
    assert safe["n"].tolist() == frame["n"].tolist()
    assert frame["note"][0].startswith("="), "the input frame is not changed"
    assert find_formula_cells(safe) == []


def test_formula_column_names_and_categories_are_neutralised_too():
    frame = pd.DataFrame({"=cmd": pd.Categorical(["=1+1", "ok"])})
    safe = neutralise_formulas(frame)
    assert list(safe.columns) == ["'=cmd"] and list(safe.iloc[:, 0]) == ["'=1+1", "ok"]


def test_formula_cells_warn_but_do_not_block_an_upload():
    result = check_upload(csv_bytes(visits([20, 30], ["=1+1", "fine"])), "visits.csv", "open", metadata=METADATA)
    assert result.accepted
    [warning] = [issue for issue in result.report.warnings if issue.code == "formula-cell"]
    assert (warning.line, warning.column) == (2, "note")


def test_small_cell_risk_flags_counts_from_1_to_9_only():
    frame = pd.DataFrame({"visits": [0, 1, 9, 10, 250, None], "decile": [1, 2, 3, 4, 5, 6]})
    cells = small_cell_risk(frame, ["visits"])
    assert [(c.column, c.position, c.value) for c in cells] == [("visits", 1, 1.0), ("visits", 2, 9.0)]


def test_small_cell_risk_follows_the_dataset_threshold():
    frame = pd.DataFrame({"visits": [3, 7, 12]})
    assert [c.value for c in small_cell_risk(frame, ["visits"], {"disclosure": {"threshold": 15}})] == [3.0, 7.0, 12.0]
    # a contributor's looser threshold is ignored: counts below the commons' 10 are still found
    assert [c.value for c in small_cell_risk(frame, ["visits"], {"disclosure": {"threshold": 1}})] == [3.0, 7.0]


def test_count_columns_come_from_units_then_names():
    frame = pd.DataFrame(
        {"visits": [1], "households": [2], "imd_rank": [3], "imd_decile": [4], "year": [2022], "people_count": [5]}
    )
    assert count_columns_of(frame) == ["visits", "households", "people_count"]
    described = {"columns": [{"name": "visits", "unit": "visits"}, {"name": "households", "unit": "GBP"}]}
    assert count_columns_of(frame, None, described) == ["visits", "people_count"]


def test_small_counts_block_open_uploads_and_only_warn_when_control_is_described():
    data = csv_bytes(visits([3, 40]))
    with pytest.raises(ValidationFailed, match="count of 3, below 10"):
        check_upload(data, "visits.csv", "open", metadata=METADATA)
    controlled = dict(METADATA, disclosure_control="Counts under 10 were rounded to 5 by the network")
    result = check_upload(data, "visits.csv", "open", metadata=controlled)
    assert result.accepted and [c.value for c in result.small_cells] == [3.0]
    assert "small-cell" in [issue.code for issue in result.report.warnings]
    restricted = check_upload(data, "visits.csv", "restricted", metadata=dict(METADATA, tier="restricted"))
    assert restricted.accepted and restricted.small_cells == []


def test_personal_data_blocks_open_and_community_but_only_warns_in_restricted():
    data = csv_bytes(visits([20, 30], ["call 07700 900123", ""]))
    for tier in ("open", "community"):
        with pytest.raises(ValidationFailed, match="UK phone numbers"):
            check_upload(data, "visits.csv", tier, metadata=METADATA)
    result = check_upload(data, "visits.csv", "restricted", metadata=METADATA)
    assert result.accepted and "personal-data-uk_phone" in [w.code for w in result.report.warnings]


def test_a_column_marked_not_personal_with_a_reason_goes_to_a_steward():
    metadata = dict(
        METADATA,
        columns=METADATA["columns"][:3]
        + [
            {
                "name": "note",
                "type": "string",
                "personal_data": False,
                "personal_data_reason": "the venues' own public phone numbers",
            }
        ],
    )
    result = check_upload(csv_bytes(visits([20, 30], ["0151 496 0123", ""])), "visits.csv", "open", metadata=metadata)
    assert result.accepted
    [warning] = [w for w in result.report.warnings if w.code == "personal-data-uk_phone"]
    assert "a steward must review it" in warning.message


def test_parquet_uploads_keep_their_types():
    buffer = io.BytesIO()
    visits([20, 30]).to_parquet(buffer, index=False)
    result = check_upload(buffer.getvalue(), "visits.parquet", "open", metadata=METADATA)
    assert result.file_type == "parquet" and result.accepted
    frame = result.tables["visits.parquet"]
    assert frame["visits"].tolist() == [20, 30] and str(frame["visits"].dtype) == "int64"


def test_result_describes_the_upload_for_the_api():
    data = csv_bytes(visits([20, 30]))
    result = check_upload(data, "visits.csv", "open", metadata=METADATA)
    described = result.to_dict()
    assert described["accepted"] is True and described["size_bytes"] == len(data)
    assert described["tables"] == {"visits.csv": {"rows": 2, "columns": ["ward22_code", "month", "visits", "note"]}}
    assert len(described["sha256"]) == 64 and described["report"]["score"] == result.report.score


def test_a_path_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "visits.csv"
    path.write_bytes(csv_bytes(visits([20, 30])))
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("a file over the limit was read"))
    with pytest.raises(ValidationFailed, match="the limit is 10 bytes") as caught:
        check_upload(path, "visits.csv", "open", max_bytes=10, metadata=METADATA)
    assert caught.value.report.errors[0].code == "too-large"
