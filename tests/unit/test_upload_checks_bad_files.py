"""Every bad upload in tests/fixtures/bad_uploads/ is refused with the error its manifest names, at the right
line, and with nothing else blocking; archive bombs and workbooks are generated here, at test time."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard.sniffing import archive_problems, read_member
from commons_kernel.upload_checks import check_upload

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bad_uploads"
MANIFEST = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
BASE_METADATA = yaml.safe_load((FIXTURES / "metadata.yaml").read_text(encoding="utf-8"))
GOOD_ROWS = [["ward22_code", "month", "visits"], ["E05000910", "2022-01", 25], ["E05000911", "2022-01", 31]]


def metadata_for(case: dict) -> dict:
    metadata = dict(BASE_METADATA)
    for key, value in (case.get("metadata_changes") or {}).items():
        if value is None:
            metadata.pop(key, None)
        else:
            metadata[key] = value
    return metadata


def refusal(data: bytes, filename: str, tier: str = "open", metadata: dict | None = None, **options):
    with pytest.raises(ValidationFailed) as caught:
        check_upload(data, filename, tier, metadata=BASE_METADATA if metadata is None else metadata, **options)
    assert caught.value.report is not None, "a blocking failure carries its report"
    return caught.value.report


def case_id(case: dict) -> str:
    return f"{case['file']}:{case.get('upload_as', '')!r}:{case['code']}:{case['expect'][:20]}"


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=case_id)
def test_bad_upload_is_refused_with_the_expected_error(case):
    data = (FIXTURES / case["file"]).read_bytes()
    report = refusal(
        data,
        case.get("upload_as", case["file"]),
        case.get("tier", "open"),
        metadata_for(case),
        max_bytes=case.get("max_bytes"),
    )
    matching = [issue for issue in report.errors if issue.code == case["code"] and case["expect"] in str(issue)]
    assert matching, f"no {case['code']} error saying {case['expect']!r}; got:\n" + "\n".join(map(str, report.errors))
    if "line" in case:
        assert matching[0].line == case["line"]
    if case.get("only", True):
        assert {issue.code.removesuffix("-more") for issue in report.errors} == {case["code"]}
    assert all(issue.fix for issue in report.errors), "every error says how to fix it"
    assert all(issue.file for issue in report.errors), "every error names its file"


def test_every_fixture_file_is_a_case_and_is_tiny():
    used = {case["file"] for case in MANIFEST["cases"]} | {"expected.yaml", "metadata.yaml", "good.csv"}
    present = {path.name for path in FIXTURES.iterdir()}
    assert present == used
    data_files = [path for path in FIXTURES.iterdir() if path.suffix != ".yaml"]
    assert max(path.stat().st_size for path in data_files) < 1024


def test_the_good_fixture_is_accepted_from_bytes_and_from_a_path(tmp_path):
    copy = tmp_path / "good.csv"
    copy.write_bytes((FIXTURES / "good.csv").read_bytes())
    before = sorted(tmp_path.rglob("*"))
    for source in (copy.read_bytes(), copy):
        result = check_upload(source, "good.csv", "open", metadata=BASE_METADATA)
        assert result.accepted and result.report.errors == []
        frame = result.tables["good.csv"]
        assert list(frame["visits"]) == [25, 31, 18]
        assert str(frame["visits"].dtype) == "Int64"
    assert sorted(tmp_path.rglob("*")) == before, "checking writes nothing"


def test_a_refused_upload_can_be_returned_instead_of_raised():
    result = check_upload(
        (FIXTURES / "ragged_rows.csv").read_bytes(),
        "ragged_rows.csv",
        "open",
        metadata=BASE_METADATA,
        raise_on_block=False,
    )
    assert not result.accepted and result.tables == {}
    assert result.to_dict()["report"]["errors"][0]["line"] == 3


# -- generated archives ---------------------------------------------------------------------------------------


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def workbook(*sheets: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, rows in enumerate(sheets, start=1):
        sheet = book.create_sheet(f"Sheet{number}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A 20 MB member of zeros that compresses about 1000 to 1 (about 20 KB on disk, made here, never committed)."""
    return zipped({"visits.csv": b"ward22_code,month,visits\n" + b"0" * 20_000_000})


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    """A workbook whose sheet XML expands to 30 MB of repeated empty cells."""
    cells = b'<c r="A1"/>' * 2_700_000
    sheet = b'<?xml version="1.0"?><worksheet><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>"
    return zipped(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": sheet}
    )


def test_zip_bomb_is_refused_before_extraction(zip_bomb):
    assert len(zip_bomb) < 100_000
    report = refusal(zip_bomb, "visits.zip")
    assert [issue.code for issue in report.errors] == ["archive-ratio"]
    assert "zip bomb" in report.errors[0].message and "20,000,025 bytes" in report.errors[0].message


def test_xlsx_bomb_is_refused_before_the_workbook_is_opened(xlsx_bomb, monkeypatch):
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    report = refusal(xlsx_bomb, "visits.xlsx")
    assert [issue.code for issue in report.errors] == ["archive-ratio"]
    assert opened == []


def test_archive_limits_each_have_their_own_error():
    limits = {
        "max_archive_members": 2,
        "max_uncompressed_bytes": 100,
        "ratio_checked_above_bytes": 10,
        "max_compression_ratio": 5,
    }
    data = zipped({"../escape.csv": b"a" * 60, "inner.zip": b"b" * 60, "c.csv": b"c"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        codes = sorted({problem.code for problem in archive_problems(archive, limits)})
    assert codes == ["archive-members", "archive-nested", "archive-path", "archive-ratio", "archive-too-large"]


def test_a_member_is_never_expanded_past_the_cap_whatever_its_header_says():
    data = zipped({"big.csv": b"x" * 5000})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = archive.infolist()[0]
        with pytest.raises(ValueError, match="expands past 1,000 bytes"):
            read_member(archive, member, 1000)
        assert read_member(archive, member, 5000) == b"x" * 5000


def test_zip_with_a_path_member_is_refused():
    report = refusal(zipped({"../../etc/cron.d/x.csv": (FIXTURES / "good.csv").read_bytes()}), "bundle.zip")
    assert [issue.code for issue in report.errors] == ["archive-path"]


def test_zip_of_good_csv_files_is_checked_member_by_member_but_is_one_dataset_too_many():
    good = (FIXTURES / "good.csv").read_bytes()
    one = check_upload(zipped({"jan.csv": good}), "bundle.zip", "open", metadata=BASE_METADATA)
    assert one.file_type == "zip" and sorted(one.tables) == ["bundle.zip:jan.csv"]
    report = refusal(zipped({"jan.csv": good, "feb.csv": good}), "bundle.zip")
    # Each member meets the standard; a dataset is one table, so `commons validate` refuses it as the upload does.
    assert [issue.code for issue in report.errors] == ["one-table"]
    assert "bundle.zip:jan.csv" in report.errors[0].message and "one table per dataset" in report.errors[0].fix


def test_zip_member_errors_name_the_member():
    report = refusal(zipped({"jan.csv": (FIXTURES / "ragged_rows.csv").read_bytes()}), "bundle.zip")
    assert report.errors[0].file == "bundle.zip:jan.csv" and report.errors[0].line == 3


def test_good_workbook_is_read_by_content_even_when_named_csv():
    result = check_upload(workbook(GOOD_ROWS), "visits.csv", "open", metadata=BASE_METADATA)
    assert result.file_type == "xlsx"
    assert list(result.tables["visits.csv[Sheet1]"]["visits"]) == [25, 31]
    assert [issue.code for issue in result.report.warnings] == ["name-content-mismatch"]


def test_workbook_with_two_tables_is_refused():
    report = refusal(workbook(GOOD_ROWS, [["note"], ["made by hand"]]), "visits.xlsx")
    assert [issue.code for issue in report.errors] == ["sheets"]
    assert "`Sheet1`, `Sheet2`" in report.errors[0].message


def test_workbook_errors_count_lines_like_the_sheet():
    rows = GOOD_ROWS + [["Anfield", "2022-01", 4]]
    report = refusal(workbook(rows), "visits.xlsx", "open")
    bad = [issue for issue in report.errors if issue.code == "not-gss-code"]
    assert bad[0].line == 4 and bad[0].file == "visits.xlsx[Sheet1]"
