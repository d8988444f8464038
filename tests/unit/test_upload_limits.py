"""Bounded uploads: the table's shape is judged from its header, footer or sheet dimension before it is parsed; the
checks run in a child process within a time and memory budget; a breach names the limit and its setting; the
data-api answers 413 for too big and 422 for too wide; ck.contribute refuses a file over the limit before sending.
(One small file per case is in tests/fixtures/bad_uploads, checked by test_upload_checks_bad_files.py.)"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from commons_kernel.exceptions import ValidationFailed
from commons_kernel.upload_budget import BudgetExceeded, run_checks
from commons_kernel.upload_checks import check_filename, check_upload

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_uploads"
METADATA = yaml.safe_load((FIXTURES / "metadata.yaml").read_text())


def errors(data: bytes, filename: str, **kwargs) -> list:
    return check_upload(data, filename, "open", metadata=METADATA, raise_on_block=False, **kwargs).report.errors


def wide_csv(columns: int) -> bytes:
    header = ["ward22_code", "month", "visits"] + [f"v{i}" for i in range(columns - 3)]
    return (",".join(header) + "\nE05000910,2022-01" + ",5" * (columns - 2) + "\n").encode()


def test_ten_thousand_columns_are_refused_from_the_header_in_milliseconds():
    data = wide_csv(10_000)
    assert 60_000 < len(data) < 100_000  # the 79 kB file that held the data-api for 52 s
    errors(wide_csv(5), "warm.csv", budget=False)  # imports and caches, so only the check is timed
    started = time.perf_counter()
    (error,) = errors(data, "wide.csv", budget=False)
    assert time.perf_counter() - started < 1.0
    assert error.code == "too-many-columns"
    assert "10,000 columns; the limit is 500 (setting COMMONS_UPLOAD_MAX_COLUMNS)" in error.message
    assert "reshape it long" in error.fix


def test_the_cell_limit_counts_lines_before_parsing(monkeypatch):
    monkeypatch.setenv("COMMONS_UPLOAD_MAX_CELLS", "29")
    data = b"ward22_code,month,visits\n" + b"E05000910,2022-01,25\n" * 10
    (error,) = errors(data, "long.csv")
    assert error.code == "too-many-cells" and "(setting COMMONS_UPLOAD_MAX_CELLS)" in error.message
    assert "3 columns and about 10 lines of data: 30 cells; the limit is 29" in error.message


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_a_small_parquet_that_expands_to_millions_of_cells_is_refused_from_its_footer():
    data = parquet_bytes(pa.table({"visits": pa.array([0] * 6_000_000, pa.int8())}))
    assert len(data) < 200_000
    (error,) = errors(data, "zeros.parquet", budget=False)
    assert error.code == "too-many-cells" and "6,000,000 cells; the limit is 2,000,000" in error.message


def test_parquet_columns_and_nested_types_come_from_the_schema():
    wide = parquet_bytes(pa.table({f"v{i}": [1] for i in range(600)}))
    assert [e.code for e in errors(wide, "wide.parquet", budget=False)] == ["too-many-columns"]
    record = pa.array([{"a": 1, "b": 2}], pa.struct([("a", pa.int64()), ("b", pa.int64())]))
    nested = parquet_bytes(pa.table({"ward22_code": ["E05000910"], "detail": record}))
    (error,) = errors(nested, "nested.parquet", budget=False)
    assert error.code == "nested-type" and "`detail`" in error.message


def workbook(sheet_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def test_a_workbook_is_judged_by_its_sheet_dimension_before_it_is_opened(monkeypatch):
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
    )
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the workbook was opened"))
    (error,) = errors(workbook(sheet), "huge.xlsx", budget=False)
    assert error.code == "too-many-columns" and "16,384 columns" in error.message


def test_a_workbook_without_a_dimension_stops_at_the_limit_while_it_is_read(monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    monkeypatch.setenv("COMMONS_UPLOAD_MAX_COLUMNS", "5")
    book = openpyxl.Workbook()
    book.active.append([f"c{i}" for i in range(8)])
    book.active.append(list(range(8)))
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # take its dimension out, as some generators write
        parts = {name: archive.read(name) for name in archive.namelist()}
    import re

    parts["xl/worksheets/sheet1.xml"] = re.sub(rb"<dimension[^>]*/>", b"", parts["xl/worksheets/sheet1.xml"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    codes = [e.code for e in errors(buffer.getvalue(), "wide.xlsx", budget=False)]
    assert codes == ["too-many-columns"]


def test_the_checks_are_stopped_at_their_time_budget():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match="more than 1 s") as caught:
        run_checks(time.sleep, 30, seconds=1)
    assert caught.value.env == "COMMONS_UPLOAD_CHECK_SECONDS" and time.monotonic() - started < 10


def test_the_checks_are_stopped_at_their_memory_budget():
    with pytest.raises(BudgetExceeded, match="more than 100 MB") as caught:
        run_checks(bytearray, 400 << 20, memory_mb=100)
    assert caught.value.env == "COMMONS_UPLOAD_CHECK_MEMORY_MB"
    assert len(run_checks(bytearray, 10 << 20, memory_mb=100)) == 10 << 20  # within it, the result comes back


def test_an_error_of_the_checks_comes_back_with_its_report():
    with pytest.raises(ValidationFailed, match="is a path") as caught:
        run_checks(check_filename, "../x.csv")
    assert caught.value.report["errors"][0]["code"] == "unsafe-filename"


def test_a_budget_breach_is_a_check_budget_error_naming_the_setting(monkeypatch):
    monkeypatch.setenv("COMMONS_UPLOAD_CHECK_MEMORY_MB", "20")
    monkeypatch.setenv("COMMONS_UPLOAD_CHECK_SECONDS", "15")
    started = time.monotonic()
    (error,) = errors(b"ward22_code,month,visits\n" + b"E05000910,2022-01,25\n" * 400_000, "many.csv")
    # Out of memory, the checks stop at once, or (when a library retries) at the time limit: either way bounded.
    assert error.code == "check-budget" and time.monotonic() - started < 25
    assert "the limit is the setting COMMONS_UPLOAD_CHECK_" in error.message


def test_the_good_file_passes_within_the_budget_with_its_table():
    result = check_upload((FIXTURES / "good.csv").read_bytes(), "good.csv", "open", metadata=METADATA)
    assert result.accepted and list(result.tables.values())[0].shape[1] == 3


def test_the_data_api_says_413_for_too_big_and_gives_the_limits():
    from commons_hub.services.data_api.routes.contributions import too_big, upload_limits

    big = ValidationFailed("x", report={"errors": [{"code": "too-large"}]})
    wide = ValidationFailed("x", report={"errors": [{"code": "too-many-columns"}]})
    assert too_big(big) and not too_big(wide)
    limits = upload_limits()
    assert limits["max_columns"] == 500 and limits["set_by"]["max_cells"] == "COMMONS_UPLOAD_MAX_CELLS"


def test_contribute_refuses_a_file_over_the_limit_before_sending(monkeypatch, tmp_path):
    from commons_kernel import governance

    monkeypatch.setattr(governance, "upload_limits", lambda: {"max_upload_bytes": 40})
    monkeypatch.setattr(governance, "_post", lambda *a, **k: pytest.fail("the file was sent"))
    path = tmp_path / "visits.csv"
    path.write_bytes((FIXTURES / "good.csv").read_bytes())
    with pytest.raises(ValidationFailed, match=r"visits.csv: the file is \d+ bytes; the limit is 40 bytes") as caught:
        governance.contribute(path, name="visits", title="Visits", description="d", licence="OGL-UK-3.0")
    assert "nothing was sent" in str(caught.value) and caught.value.report["errors"][0]["code"] == "too-large"
