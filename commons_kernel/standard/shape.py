"""A table's shape (columns, cells, nested types) judged before the file is parsed, so a small file that would
expand into a huge or slow table is refused in milliseconds.

CSV: the header line and a count of line breaks; Parquet: the footer (schema and row count); xlsx: each sheet's
``<dimension>``. The limits are settings (upload_max_columns, upload_max_cells); a breach is an error in the
report naming the limit and the setting. The full parse re-checks what a file cannot be trusted to declare
(an xlsx dimension can be missing or wrong).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from commons_kernel.config import SETTINGS, setting
from commons_kernel.standard.report import QualityReport

HEADER_SCAN_BYTES = 1 << 20
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
RESHAPE_FIX = (
    "split the table into files of fewer columns, or reshape it long: one row per area, period and "
    "measure, with the measure's name in a column"
)


def shape_limits() -> dict:
    return {"max_columns": setting("upload_max_columns"), "max_cells": setting("upload_max_cells")}


def _env(name: str) -> str:
    return SETTINGS[name].env


def check_shape(columns: int, rows: int, name: str, report: QualityReport, *, counted: str = "rows") -> bool:
    """Report a table over the column or cell limit. True when it is within both."""
    limits = shape_limits()
    if columns > limits["max_columns"]:
        report.error(
            "structure",
            "too-many-columns",
            f"the table has {columns:,} columns; the limit is "
            f"{limits['max_columns']:,} (setting {_env('upload_max_columns')})",
            RESHAPE_FIX,
            file=name,
        )
        return False
    if columns * rows > limits["max_cells"]:
        report.error(
            "structure",
            "too-many-cells",
            f"the table has {columns:,} columns and about {rows:,} {counted}: "
            f"{columns * rows:,} cells; the limit is {limits['max_cells']:,} (setting "
            f"{_env('upload_max_cells')})",
            "split the data into smaller files (by year or area)",
            file=name,
        )
        return False
    return True


def report_cells(cells: int, name: str, report: QualityReport) -> None:
    limit = shape_limits()["max_cells"]
    report.error(
        "structure",
        "too-many-cells",
        f"the file holds more than {cells - 1:,} cells; the limit is {limit:,} (setting {_env('upload_max_cells')})",
        "split the data into smaller files (by year or area)",
        file=name,
    )


def csv_shape_ok(data: bytes, name: str, report: QualityReport) -> bool:
    """Columns from the header record alone; rows counted as line breaks (a quoted line break counts too)."""
    head = data[:HEADER_SCAN_BYTES]
    if b"\n" not in head and len(data) > HEADER_SCAN_BYTES:
        report.error(
            "structure",
            "too-many-columns",
            f"the header line is longer than {HEADER_SCAN_BYTES:,} bytes",
            RESHAPE_FIX,
            file=name,
            line=1,
        )
        return False
    try:
        header = next(csv.reader(io.StringIO(head.decode("utf-8", errors="replace"), newline="")), [])
    except csv.Error:
        return True  # the full parse reports where the header is broken
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    return check_shape(len(header), max(lines - 1, 1), name, report, counted="lines of data")


def parquet_shape_ok(data: bytes, name: str, report: QualityReport) -> bool:
    """Columns, rows and types from the footer only; list, struct, map and union columns are refused."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        schema, rows = parquet.schema_arrow, parquet.metadata.num_rows
    except (pa.ArrowException, OSError, ValueError):
        return True  # the full read reports the damage
    if not check_shape(len(schema), rows, name, report):
        return False
    nested = [f"`{field.name}` ({field.type})" for field in schema if pa.types.is_nested(field.type)]
    if nested:
        report.error(
            "structure",
            "nested-type",
            f"column{'s' if len(nested) > 1 else ''} {', '.join(nested[:10])} "
            f"{'hold' if len(nested) > 1 else 'holds'} lists or records inside a cell; a table of the commons "
            "has one value per cell",
            "flatten them: one column per field of a record, one row per item of a list",
            file=name,
        )
        return False
    return True


def _column_number(letters: bytes | None) -> int:
    number = 0
    for letter in letters or b"A":
        number = number * 26 + (letter - 64)
    return number


def xlsx_shape_ok(archive: zipfile.ZipFile, name: str, report: QualityReport) -> bool:
    """Each sheet's declared size, from the first few kB of its XML (a sheet without one is checked as it is read)."""
    for member in archive.infolist():
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        with archive.open(member) as handle:
            head = handle.read(4096)
        found = DIMENSION.search(head)
        if not found:
            continue
        first_col, first_row, last_col, last_row = found.groups()
        columns = _column_number(last_col or first_col) - _column_number(first_col) + 1
        rows = int(last_row or first_row or 1) - int(first_row or 1) + 1
        sheet = f"{name}[{member.filename.rsplit('/', 1)[-1]}]"
        if not check_shape(columns, rows, sheet, report):
            return False
    return True
