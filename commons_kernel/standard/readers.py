"""The readers of contributed files, one per kind the commons reads, found by entry point (as papermill finds engines).

A reader is a ``Reader``: its kind (what ``sniffing.py`` calls the content: ``csv``, ``parquet``, ...), the suffixes
its files are usually named with, the words people read in the list of accepted files, and ``read``, which turns
the bytes into tables and puts every problem in the report. The commons' own four, ``CSV``, ``PARQUET``, ``XLSX``
and ``ZIP``, are registered in ``pyproject.toml`` exactly as another package registers one::

    [project.entry-points."lcr_data_commons.readers"]
    tsv = "my_package.tsv:TSV"    # TSV = Reader("tsv", (".tsv",), "a tab-separated file", read, recognise=...)

``read_tables`` is the one way bytes become tables (the data standard's ``validate_bytes``, and so every upload,
``commons validate`` and ``validate()``). It, not the reader, runs the safety checks, so a new reader cannot skip
them:

1. an empty file is refused, and the kind is judged by content, never by name (``kind_of``): a kind no reader
   reads is refused saying what the file is;
2. a zip container (bytes that begin with a zip signature, whichever reader reads them) has its central directory
   checked before anything is decompressed (``sniffing.archive_problems``: bombs, paths, links, encryption);
3. every table a reader returns is held to the column and cell limits (``shape.check_shape``).

The formula and small-count checks then run on every table, whichever reader made it
(``commons_kernel/upload_checks.py``). The suffixes, the hint naming the accepted files (``accepted_fix``) and the
upload form's accept list are all worked out from the installed readers.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from commons_kernel import plugins
from commons_kernel.standard import reading, shape, sniffing
from commons_kernel.standard.report import QualityReport
from commons_kernel.standard.table import Table

# (data, name, report, limits) -> the tables read; problems go in the report, and [] means none could be read.
ReadFunction = Callable[[bytes, str, QualityReport, dict], list[Table]]


@dataclass(frozen=True)
class Reader:
    """How one kind of contributed file becomes tables."""

    kind: str  # what sniffing.py (or ``recognise``) calls the content, and the entry point's name
    suffixes: tuple[str, ...]  # the names its files usually have, lower case with the dot: (".csv", ".txt")
    words: str  # for people, in the list of accepted files: "a CSV file (UTF-8)"
    read: ReadFunction
    recognise: Callable[[bytes], bool] | None = None  # for a kind sniffing.py does not tell apart; asked before it
    nested_archives: bool = False  # a zip container's members may be named like archives (a workbook's parts)
    rank: int = 50  # its place in the list of accepted files and in recognising (built-ins 10-30, zip 90)


@cache
def installed() -> dict[str, Reader]:
    """Every installed reader, ``{kind: reader}`` in rank order; a malformed entry point is an error."""
    found = plugins.load_checked(
        plugins.READERS, Reader, "kind", "the reader of", "files are matched to readers by kind"
    )
    for name, reader in found.items():
        bad = [suffix for suffix in reader.suffixes if not suffix.startswith(".") or suffix != suffix.lower()]
        if bad:
            raise plugins.PluginError(
                f"the {plugins.READERS} entry point {name!r} declares suffixes {bad}: write each in lower case with "
                f"its dot, e.g. '.csv'."
            )
    return dict(sorted(found.items(), key=lambda item: (item[1].rank, item[0])))


def kind_of(data: bytes) -> str:
    """What the file is, by content: a reader's own ``recognise`` first, else sniffing.py's signatures
    ('csv', 'xlsx', 'zip', 'parquet', or an unread kind such as 'pdf', 'xls', 'executable')."""
    for reader in installed().values():
        if reader.recognise is not None and reader.recognise(data):
            return reader.kind
    return sniffing.sniff_file_type(data)


def describe(kind: str) -> str:
    """A kind in words: sniffing.py's description, else the reader's own words."""
    if kind in sniffing.DESCRIPTIONS:
        return sniffing.describe(kind)
    reader = installed().get(kind)
    return reader.words if reader is not None else kind


def suffix_kinds() -> dict[str, str]:
    """``{suffix: kind}``: what a file's name says it is (``.csv`` -> csv), for the name-content check."""
    return {suffix: reader.kind for reader in installed().values() for suffix in reader.suffixes}


def accept_list() -> str:
    """The suffixes of every installed reader, as an ``<input type="file" accept=...>`` attribute wants them."""
    return ",".join(suffix_kinds())


def accepted_fix() -> str:
    """The hint naming the files the commons reads: 'upload a CSV file (UTF-8), ..., or a zip of these'."""
    words = [reader.words for reader in installed().values()]
    if len(words) == 1:
        return f"upload {words[0]}"
    return f"upload {', '.join(words[:-1])}, or {words[-1]}"


def read_tables(data: bytes, name: str, report: QualityReport, limits: dict) -> list[Table]:
    """The tables in a file: one for CSV, Parquet and xlsx, one per member of a zip. Problems go in ``report``."""
    if not data.strip(b" \t\r\n" + reading.UTF8_BOM):
        report.error(
            "structure",
            "empty-file",
            "the file is empty",
            "export the table again, with its header row and at least one row of data",
            file=name,
        )
        return []
    kind = kind_of(data)
    reader = installed().get(kind)
    if reader is None:
        _refuse_kind(kind, name, report)
        return []
    if data.startswith(sniffing.ZIP_SIGNATURES) and not _archive_safe(data, name, kind, reader, report, limits):
        return []
    return [table for table in reader.read(data, name, report, limits) if _within_shape(table, report)]


def _refuse_kind(kind: str, name: str, report: QualityReport) -> None:
    hint = reading.SAVE_AS_UTF8 if kind == "utf-16" else accepted_fix()
    if kind == "xls":
        hint = "save it as .xlsx or as CSV UTF-8 and upload that"
    report.error(
        "structure",
        "file-type",
        f"the file is {describe(kind)}, not a table the commons reads "
        "(its type was judged by its content, not its name)",
        hint,
        file=name,
    )


def _archive_safe(data: bytes, name: str, kind: str, reader: Reader, report: QualityReport, limits: dict) -> bool:
    """A zip container's central directory, checked before its reader decompresses anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        report.error(
            "structure",
            "bad-archive",
            f"the file looks like {describe(kind)} but is damaged ({exc})",
            "create the file again and re-upload it",
            file=name,
        )
        return False
    with archive:
        problems = sniffing.archive_problems(archive, limits, allow_nested=reader.nested_archives)
    for problem in problems:
        report.error("structure", problem.code, problem.message, problem.fix, file=name)
    return not problems


def _within_shape(table: Table, report: QualityReport) -> bool:
    """A table a reader made, held to the column and cell limits (the built-ins already refuse one before parsing)."""
    return shape.check_shape(len(table.text.columns), len(table.text), table.name, report)


def _one(table: Table | None) -> list[Table]:
    return [table] if table is not None else []


# -- the commons' own readers (entry points in pyproject.toml) -------------------------------------------------
# Each judges the table's shape (columns, cells, nested types) from its header or footer before parsing it.


def _read_csv(data: bytes, name: str, report: QualityReport, limits: dict) -> list[Table]:
    if not shape.csv_shape_ok(data, name, report):
        return []
    return _one(reading.read_csv_bytes(data, name, report, accepted=accepted_fix()))


def _read_parquet(data: bytes, name: str, report: QualityReport, limits: dict) -> list[Table]:
    if not shape.parquet_shape_ok(data, name, report):
        return []
    return _one(reading.read_parquet_bytes(data, name, report, limits))


def _read_xlsx(data: bytes, name: str, report: QualityReport, limits: dict) -> list[Table]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # read_tables has opened and checked it already
        if not shape.xlsx_shape_ok(archive, name, report):
            return []
        return _one(reading.read_xlsx(archive, data, name, report, limits))


def _read_zip(data: bytes, name: str, report: QualityReport, limits: dict) -> list[Table]:
    """Each member through ``read_tables`` (so through its own reader and checks), read with a size cap."""
    tables: list[Table] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # read_tables has opened and checked it already
        for member in archive.infolist():
            if member.is_dir() or member.filename.startswith("__MACOSX/") or member.filename.endswith(".DS_Store"):
                continue
            label = f"{name}:{member.filename}"
            try:
                content = sniffing.read_member(archive, member, limits["max_uncompressed_bytes"])
            except (ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
                report.error(
                    "structure",
                    "bad-archive",
                    f"member `{member.filename}` cannot be read ({exc})",
                    "create the archive again from the original files",
                    file=label,
                )
                continue
            if sniffing.sniff_file_type(content) == "zip":
                report.error(
                    "structure",
                    "archive-nested",
                    f"member `{member.filename}` is itself an archive",
                    "upload the inner file directly",
                    file=label,
                )
                continue
            tables += read_tables(content, label, report, limits)
    return tables


CSV = Reader("csv", (".csv", ".txt"), "a CSV file (UTF-8)", _read_csv, rank=10)
XLSX = Reader("xlsx", (".xlsx",), "an Excel .xlsx workbook", _read_xlsx, nested_archives=True, rank=20)
PARQUET = Reader("parquet", (".parquet",), "a Parquet file", _read_parquet, rank=30)
ZIP = Reader("zip", (".zip",), "a zip of these", _read_zip, rank=90)
