"""Bytes to tables, strictly, for the commons' own readers (commons_kernel/standard/readers.py, which dispatches to
these and runs the safety checks first): any file that is not a clean, rectangular, UTF-8 table is reported with the
line (and byte) where it goes wrong, and no table is returned for it."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from datetime import date, datetime, time

import pandas as pd

from commons_kernel.standard import shape
from commons_kernel.standard.report import QualityReport
from commons_kernel.standard.table import Table, table_from_frame

UTF8_BOM = b"\xef\xbb\xbf"
SAVE_AS_UTF8 = (
    "save the file as UTF-8: in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'; "
    "in pandas, `frame.to_csv(path, index=False)`"
)


def read_csv_bytes(data: bytes, name: str, report: QualityReport, *, accepted: str) -> Table | None:
    """A CSV file's table, or None with the problems reported; ``accepted`` is the hint naming the files the commons
    reads (``readers.accepted_fix()``), for a file that is not text at all."""
    data = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte_in_line = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        try:
            data.decode("cp1252")
            guess = "it looks like Windows-1252 (what Excel's plain 'CSV' writes)"
        except UnicodeDecodeError:
            guess = "it is in another encoding"
        report.error(
            "structure",
            "encoding",
            f"line {line}, byte {byte_in_line} (0x{data[exc.start]:02X}; byte {exc.start + 1} of the file) "
            f"is not UTF-8: {guess}",
            SAVE_AS_UTF8,
            file=name,
            line=line,
        )
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        report.error(
            "structure",
            "nul-byte",
            f"line {line} holds a NUL character, so this is not a text table",
            accepted,
            file=name,
            line=line,
        )
        return None
    first_line = text.split("\n", 1)[0]
    if "," not in first_line and any(sep in first_line for sep in (";", "\t", "|")):
        separator = next(sep for sep in (";", "\t", "|") if sep in first_line)
        report.error(
            "structure",
            "separator",
            f"the columns are separated by {separator!r}, not commas",
            "save as CSV with commas between values (quote values that contain commas)",
            file=name,
            line=1,
        )
        return None
    return _parse_csv(text, name, report)


def _parse_csv(text: str, name: str, report: QualityReport) -> Table | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header, rows, lines, broken, previous = None, [], [], False, 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if header is None:
                header = row
                continue
            if not row or all(cell == "" for cell in row) and len(row) <= 1:
                report.error(
                    "structure", "blank-row", f"line {start} is empty", "delete the empty line", file=name, line=start
                )
                broken = True
            elif len(row) != len(header):
                more = "more" if len(row) > len(header) else "fewer"
                report.error(
                    "structure",
                    "ragged-row",
                    f"line {start} has {len(row)} values but the header has {len(header)} columns ({more})",
                    "check that line for a missing or extra comma, and put quotes around values that contain commas",
                    file=name,
                    line=start,
                )
                broken = True
            else:
                rows.append(row)
                lines.append(start)
    except csv.Error as exc:
        start = previous + 1
        if "end of data" in str(exc) or "field larger than field limit" in str(exc):
            report.error(
                "structure",
                "unbalanced-quote",
                f'the quote (") opened on line {start} is never closed',
                'close the quoted value; write a quote inside a quoted value as two quotes ("")',
                file=name,
                line=start,
            )
        else:
            report.error(
                "structure",
                "malformed-csv",
                f"line {start} is not valid CSV ({exc})",
                'put quotes around values that contain commas or quotes, and double inner quotes ("")',
                file=name,
                line=start,
            )
        return None
    if header is None:
        report.error(
            "structure", "empty-file", "the file is empty", "export the table again with its header row", file=name
        )
        return None
    if not header_ok(header, name, report) or broken:
        return None
    if not rows:
        report.error(
            "structure",
            "no-rows",
            "the file has a header but no rows of data",
            "export the table again with its data",
            file=name,
            line=1,
        )
        return None
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return Table(name=name, text=frame, lines=lines)


def header_ok(header: list, name: str, report: QualityReport) -> bool:
    """Column names must be present and unique. Reports each problem; True when there is none."""
    ok = True
    seen: dict[str, int] = {}
    for position, label in enumerate(header, start=1):
        label = "" if label is None else str(label)
        if not label.strip():
            report.error(
                "structure",
                "blank-header",
                f"column {position} has no name in the header (line 1)",
                "give every column a short name, e.g. `visits`",
                file=name,
                line=1,
            )
            ok = False
        elif label in seen:
            report.error(
                "structure",
                "duplicate-column",
                f"column name `{label}` appears twice in the header (columns {seen[label]} and {position})",
                "give each column its own name, e.g. add the year or unit",
                file=name,
                line=1,
                column=label,
            )
            ok = False
        seen.setdefault(label, position)
    return ok


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_xlsx(archive: zipfile.ZipFile, data: bytes, name: str, report: QualityReport, limits: dict) -> Table | None:
    """A workbook's one table, or None with the problems reported (its central directory was checked before)."""
    for member in archive.infolist():
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as handle:
                head = handle.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                report.error(
                    "structure",
                    "xml-entities",
                    f"workbook part `{member.filename}` declares XML entities",
                    "save the workbook again from Excel or LibreOffice, or upload CSV",
                    file=name,
                )
                return None
    import openpyxl  # imported here: only workbooks need it

    sized = shape.shape_limits()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets: dict[str, list[list[str]]] = {}
            cells = 0
            for sheet in book.worksheets:
                rows: list[list[str]] = []
                for row in sheet.iter_rows(values_only=True):
                    cells += len(row)
                    if len(row) > sized["max_columns"] or cells > sized["max_cells"]:
                        # the sheet declared no size, or a wrong one: stop reading at the limit
                        book.close()
                        label = f"{name}[{sheet.title}]"
                        if shape.check_shape(len(row), len(rows) + 1, label, report):
                            shape.report_cells(cells, label, report)
                        return None
                    rows.append([_cell_text(value) for value in row])
                while rows and not any(rows[-1]):
                    rows.pop()
                if rows:
                    sheets[sheet.title] = rows
            book.close()
    except MemoryError:
        raise  # the checks' memory budget (upload_budget.py) says so, not "damaged"
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks; each means "cannot read"
        report.error(
            "structure",
            "bad-workbook",
            f"the workbook cannot be read ({type(exc).__name__}: {exc})",
            "save it again from Excel or LibreOffice, or upload the table as CSV UTF-8",
            file=name,
        )
        return None
    if len(sheets) != 1:
        names = ", ".join(f"`{title}`" for title in sheets) or "none"
        report.error(
            "structure",
            "sheets",
            f"the workbook has {len(sheets)} sheets with data ({names}); the standard is one table per file",
            "save each table as its own CSV file; put notes in the metadata",
            file=name,
        )
        return None
    title, rows = next(iter(sheets.items()))
    width = max(len(row) for row in rows)
    while width and not any(len(row) >= width and row[width - 1] for row in rows):
        width -= 1
    rows = [(row + [""] * width)[:width] for row in rows]
    label = f"{name}[{title}]"
    if not header_ok(rows[0], label, report):
        return None
    if len(rows) < 2:
        report.error(
            "structure",
            "no-rows",
            "the sheet has a header but no rows of data",
            "put the data under the header row",
            file=label,
            line=1,
        )
        return None
    return Table(name=label, text=pd.DataFrame(rows[1:], columns=rows[0], dtype=object))


def read_parquet_bytes(data: bytes, name: str, report: QualityReport, limits: dict) -> Table | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        meta = parquet.metadata
        expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if expanded > limits["max_uncompressed_bytes"] or meta.num_rows * meta.num_columns > limits["max_cells"]:
            report.error(
                "structure",
                "archive-too-large",
                f"the Parquet file would expand to {expanded:,} bytes and "
                f"{meta.num_rows * meta.num_columns:,} cells, more than allowed",
                "split the data into smaller files",
                file=name,
            )
            return None
        frame = parquet.read().to_pandas()
    except MemoryError:
        raise  # the checks' memory budget (upload_budget.py) says so, not "damaged"
    except (pa.ArrowException, OSError, ValueError) as exc:
        report.error(
            "structure",
            "bad-parquet",
            f"the Parquet file cannot be read ({exc})",
            "write it again with `frame.to_parquet(path)`",
            file=name,
        )
        return None
    binary = [column for column in frame.columns if frame[column].map(lambda v: isinstance(v, bytes)).any()]
    if binary:
        report.warning(
            "structure",
            "binary-column",
            f"columns {', '.join(f'`{c}`' for c in binary)} hold binary "
            "values (geometry?) that the standard checks skip",
            "describe them in the metadata",
            file=name,
        )
        frame = frame.drop(columns=binary)
    if not header_ok(list(frame.columns), name, report):
        return None
    return table_from_frame(frame, name)
