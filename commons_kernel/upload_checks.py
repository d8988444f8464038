"""The one check of a contribution, used by the upload (form and API), `commons validate` and the notebook's
``validate()`` alike, so all three give the same report and verdict for the same file: a safe file name, a size
limit, the file type judged by content, archive bombs refused before extraction, the data standard (with the
personal-data scan), small-cell risk in aggregate counts, and spreadsheet formulas that would run when the data are
opened in Excel.

``check_upload`` (a file) and ``check_frame`` (a DataFrame, for ``validate(frame)``) never write anything. It refuses a
table too wide or too big from its header or footer before parsing it (commons_kernel.standard.shape), and runs the
checks that parse it within a time and memory budget (commons_kernel.upload_budget). It raises ValidationFailed
(``.report`` holds every problem) when the upload is blocked, or returns an UploadCheckResult whose tables the caller
may then store.
``neutralise_formulas`` must be applied wherever data leave the commons as CSV or a spreadsheet.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from commons_kernel import tiers
from commons_kernel.exceptions import ValidationFailed
from commons_kernel.standard import readers
from commons_kernel.standard.columns import ColumnRoles, tokens
from commons_kernel.standard.metadata_checks import load_metadata
from commons_kernel.standard.report import Issue, QualityReport
from commons_kernel.standard.rules import load_standard
from commons_kernel.standard.table import matching, typed_frame
from commons_kernel.standard.validator import new_report, resolve_tier, validate_bytes, validate_frame

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
COUNT_WORDS = {
    "count",
    "counts",
    "number",
    "visits",
    "households",
    "people",
    "persons",
    "population",
    "cases",
    "referrals",
    "residents",
    "n",
    "total",
    "crimes",
    "incidents",
    "patients",
    "pupils",
    "children",
}
NOT_COUNT_WORDS = {
    "rank",
    "decile",
    "quintile",
    "year",
    "id",
    "code",
    "score",
    "pct",
    "percent",
    "percentage",
    "rate",
    "share",
    "ratio",
    "mean",
    "median",
    "average",
}


@dataclass
class SmallCell:
    column: str
    position: int  # row position, 0-based
    value: float


@dataclass
class UploadCheckResult:
    filename: str
    file_type: str
    size_bytes: int
    sha256: str
    tier: str
    report: QualityReport
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # typed frames, by table name; empty if blocked
    small_cells: list[SmallCell] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.report.ok

    def to_dict(self) -> dict:
        return {
            "filename": self.filename,
            "file_type": self.file_type,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "tier": self.tier,
            "accepted": self.accepted,
            "tables": {
                name: {"rows": len(frame), "columns": list(map(str, frame.columns))}
                for name, frame in self.tables.items()
            },
            "report": self.report.to_dict(),
        }


def filename_problem(filename) -> tuple[str, str] | None:
    """(problem, fix) when an uploaded file's name is unsafe to use, else None."""
    if not isinstance(filename, str) or not filename.strip():
        return "the upload has no file name", "give the file a name such as `visits.csv`"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in filename):
        shown = filename.replace("\x00", "\\0").encode("unicode_escape").decode("ascii")
        return (
            f"the file name `{shown}` contains a control character (such as NUL)",
            "rename the file with letters, digits, `-`, `_` and `.` only",
        )
    plain = PurePosixPath(filename.replace("\\", "/")).name
    if (
        "/" in filename
        or "\\" in filename
        or PureWindowsPath(filename).drive
        or ":" in filename
        or filename in (".", "..")
    ):
        suggestion = plain if plain not in ("", ".", "..") else "data.csv"
        return f"the file name `{filename}` is a path, not a plain name", f"upload it as `{suggestion}`"
    if filename.startswith("."):
        return f"the file name `{filename}` starts with a dot (a hidden file)", "rename it, e.g. `data.csv`"
    if len(filename) > load_standard().limits["max_filename_length"]:
        return f"the file name is {len(filename)} characters long", "shorten it to under 200 characters"
    if re.search(r'[*?"<>|]', filename):
        return f'the file name `{filename}` contains one of * ? " < > |', "rename the file without them"
    if filename.split(".")[0].lower() in WINDOWS_RESERVED:
        return f"the file name `{filename}` is reserved on Windows", "rename it, e.g. `data.csv`"
    if unicodedata.normalize("NFC", filename) != filename:
        return f"the file name `{filename}` is not in Unicode normal form", "rename the file with plain letters"
    return None


def check_filename(filename) -> str:
    """The file name, unchanged, if it is safe; otherwise ValidationFailed saying what to rename it to."""
    problem = filename_problem(filename)
    if problem:
        report = new_report("upload", tiers.DEFAULT)
        report.error("structure", "unsafe-filename", problem[0], problem[1], file="upload")
        raise ValidationFailed(f"{problem[0]}. Fix: {problem[1]}. Nothing was stored.", report=report)
    return filename


def find_formula_cells(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """(column, row position) of every text cell a spreadsheet would run as a formula."""
    found = []
    for position, column in enumerate(frame.columns):
        series = frame.iloc[:, position]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        risky = matching(
            series, lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(v)
        )
        found += [(str(column), int(i)) for i in risky.to_numpy().nonzero()[0]]
    return found


def _neutralise_value(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell (and column name) that starts with = + - @, a tab or a carriage return,
    and is not a plain number, is prefixed with ' so spreadsheets show it as text instead of running it.
    Apply it wherever data are exported as CSV or xlsx."""
    result = frame.copy()
    for position in range(result.shape[1]):
        series = result.iloc[:, position]
        if isinstance(series.dtype, pd.CategoricalDtype):
            result.isetitem(
                position, series.cat.rename_categories([_neutralise_value(c) for c in series.cat.categories])
            )
        elif pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            result.isetitem(position, series.map(_neutralise_value, na_action="ignore"))
    result.columns = [_neutralise_value(column) for column in result.columns]
    return result


def count_columns_of(frame: pd.DataFrame, roles: ColumnRoles | None = None, metadata: dict | None = None) -> list:
    """Columns holding aggregate counts: those whose stated unit is a count unit (or type `count`), else whole-
    number columns named like counts (visits, households, people...) and not like ranks, deciles or years."""
    standard = load_standard()
    described = {str(e.get("name")): e for e in (metadata or {}).get("columns") or [] if isinstance(e, dict)}
    chosen = []
    for column in frame.columns:
        entry = described.get(str(column), {})
        unit = str(entry.get("unit") or "").strip().lower()
        if entry.get("type") == "count" or unit in standard.count_units:
            chosen.append(column)
        elif not entry and (tokens(column) & COUNT_WORDS) and not (tokens(column) & NOT_COUNT_WORDS):
            whole = roles is not None and roles.numbers.get(column) == "integer"
            if whole or pd.api.types.is_integer_dtype(frame[column]):
                chosen.append(column)
    return chosen


def small_cell_risk(
    frame: pd.DataFrame, count_columns: list | None = None, metadata: dict | None = None
) -> list[SmallCell]:
    """Count cells from 1 to the disclosure threshold minus one (1..9 by default). The commons' disclosure rules
    decide (commons_kernel.disclosure.suppress_small_counts, ACRO's threshold rule); zeros are not counted here."""
    from commons_kernel.disclosure import suppress_small_counts

    columns = count_columns_of(frame, None, metadata) if count_columns is None else list(count_columns)
    if not columns:
        return []
    counts = frame[columns].apply(lambda s: pd.to_numeric(s.replace("", None), errors="coerce")).reset_index(drop=True)
    overrides = {"disclosure": metadata["disclosure"]} if metadata and metadata.get("disclosure") else None
    _, report = suppress_small_counts(counts, columns, metadata=overrides)
    cells = report.cells
    values = pd.to_numeric(cells["value"], errors="coerce")
    small = cells[cells["rules"].str.contains("threshold") & (values > 0)]
    return [SmallCell(str(row.column), int(row.row), float(row.value)) for row in small.itertuples()]


def _read_input(path_or_bytes, max_bytes: int, report: QualityReport) -> bytes | None:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        size = len(path_or_bytes)
        data = bytes(path_or_bytes) if size <= max_bytes else None
    else:
        path = Path(path_or_bytes)
        if not path.is_file():
            raise ValidationFailed(f"{path} is not a file: nothing to check.")
        size = os.stat(path).st_size
        data = path.read_bytes() if size <= max_bytes else None
    if data is None:
        report.error(
            "structure",
            "too-large",
            f"the file is {size:,} bytes; the limit is {max_bytes:,} bytes "
            "(limits.max_upload_bytes in the data standard, catalog/standard/standard.yaml)",
            "split the data into smaller files (by year or area), or zip it",
            file=report.file,
        )
    return data


def check_upload(
    path_or_bytes,
    filename: str,
    tier: str | None = None,
    max_bytes: int | None = None,
    *,
    metadata=None,
    raise_on_block: bool = True,
    budget: bool = True,
) -> UploadCheckResult:
    """Every check on an uploaded file; nothing is written anywhere.

    ``filename`` is the name the contributor gave (never used as a path). ``metadata`` is a dict or a YAML path.
    ``tier``: default the metadata's ``tier``, else open. The size is checked first, then the table's shape from
    its header or footer (before parsing), then the rest in a child process within a time and memory budget
    (``budget=False`` runs them here, for tests).
    Raises ValidationFailed with ``.report`` when blocked, unless ``raise_on_block=False``.
    """
    filename = check_filename(filename)
    standard = load_standard()
    max_bytes = standard.limits["max_upload_bytes"] if max_bytes is None else max_bytes
    meta, _, _ = load_metadata(metadata)  # a broken metadata file is reported here, before any child is started
    tier = resolve_tier(tier, meta, standard)
    report = new_report(filename, tier, standard)
    data = _read_input(path_or_bytes, max_bytes, report)
    if data is None:
        result = UploadCheckResult(filename, "unread", 0, "", tier, report.finish())
        return _finish(result, raise_on_block)
    if not budget:
        return _finish(_check_bytes(data, filename, tier, metadata), raise_on_block)
    from commons_kernel.upload_budget import BudgetExceeded, run_checks

    try:
        result = run_checks(_check_bytes, data, filename, tier, metadata)
    except BudgetExceeded as exceeded:
        report.error(
            "structure",
            "check-budget",
            f"{exceeded}; the limit is the setting {exceeded.env}",
            "split the data into smaller files (by year or area), or ask an operator to raise the limit",
            file=filename,
        )
        result = UploadCheckResult(
            filename, readers.kind_of(data), len(data), hashlib.sha256(data).hexdigest(), tier, report.finish()
        )
    return _finish(result, raise_on_block)


def check_frame(
    frame: pd.DataFrame, metadata=None, tier: str | None = None, *, name: str | None = None
) -> UploadCheckResult:
    """The same checks as ``check_upload`` on a DataFrame (no file: no name, size or type checks); never raises
    for a blocked table: read ``.report``."""
    meta, _, _ = load_metadata(metadata)
    report, tables, roles = validate_frame(frame, metadata, tier, name)
    result = UploadCheckResult(report.file, "dataframe", 0, "", report.tier, report)
    _check_tables(tables, roles, meta, result)
    return _finish(result, raise_on_block=False)


def _check_bytes(data: bytes, filename: str, tier: str, metadata) -> UploadCheckResult:
    """The checks that read the table (run within the budget): standard, file type, small cells, formulas."""
    meta, _, _ = load_metadata(metadata)
    report, tables, roles = validate_bytes(data, filename, metadata, tier)
    file_type = readers.kind_of(data)
    claimed = readers.suffix_kinds().get(Path(filename).suffix.lower())  # what the name says, by the readers' suffixes
    if claimed and claimed != file_type and file_type in readers.installed():
        report.warning(
            "structure",
            "name-content-mismatch",
            f"the file is named like {readers.describe(claimed)} but is {readers.describe(file_type)}; "
            "it was read as what it is",
            "rename it with the right extension",
            file=filename,
        )
    result = UploadCheckResult(filename, file_type, len(data), hashlib.sha256(data).hexdigest(), tier, report)
    if len(tables) > 1:
        report.error(
            "structure",
            "one-table",
            f"the file holds {len(tables)} tables ({', '.join(table.name for table in tables)})",
            "upload one table per dataset (one CSV, one sheet, or a zip of one file)",
            file=filename,
        )
    _check_tables(tables, roles, meta, result)
    return result


def _check_tables(tables: list, roles: dict, meta: dict, result: UploadCheckResult) -> None:
    """What every table gets beyond the standard: small counts (disclosure) and formula cells; then the verdict."""
    report = result.report
    for table in tables:
        if table.name not in roles:
            continue
        _check_small_cells(table, roles[table.name], meta, result.tier, result)
        for column, position in find_formula_cells(table.text)[:50]:
            line = table.line_of(position)
            report.warning(
                "structure",
                "formula-cell",
                f"column `{column}` on line {line} starts like a spreadsheet formula",
                "nothing to do: the commons prefixes it with ' wherever it exports the data",
                file=table.name,
                line=line,
                column=column,
            )
        result.tables[table.name] = typed_frame(table, roles[table.name].numbers)
    report.finish()
    if not report.ok:
        result.tables.clear()  # nothing of a blocked upload is sent back or kept


def _check_small_cells(table, roles: ColumnRoles, meta: dict, tier: str, result: UploadCheckResult) -> None:
    if not tiers.get(tier).small_counts_checked:
        return  # restricted data leave only through disclosure control of each output
    from commons_kernel.disclosure import resolve_thresholds
    from commons_kernel.exceptions import ConfigurationError

    overrides = {"disclosure": meta["disclosure"]} if isinstance(meta.get("disclosure"), dict) else None
    try:
        limit = resolve_thresholds(None, overrides).threshold
    except ConfigurationError:  # a broken `disclosure:` block is a metadata error already; the commons' rules apply
        overrides = None
        limit = resolve_thresholds(None, None).threshold
    columns = count_columns_of(table.text, roles, meta)
    cells = small_cell_risk(table.text, columns, overrides)
    result.small_cells += cells
    report = result.report
    report.tally("privacy", len(columns) - len({cell.column for cell in cells}), len(columns))
    controlled = str(meta.get("disclosure_control") or "").strip()
    severity = "warning" if controlled else "error"
    report.add_many(
        range(len(cells)),
        lambda i: Issue(
            severity,
            "privacy",
            "small-cell",
            f"column `{cells[i].column}` on line {table.line_of(cells[i].position)} is a count of "
            f"{cells[i].value:g}, below {limit}" + (f" (the metadata says: {controlled})" if controlled else ""),
            "small counts can identify people: combine areas or periods, or suppress (blank) the cell and say so in "
            "the methodology; if disclosure control was already applied, describe it in `disclosure_control:`",
            file=table.name,
            line=table.line_of(cells[i].position),
            column=cells[i].column,
        ),
    )


def _finish(result: UploadCheckResult, raise_on_block: bool) -> UploadCheckResult:
    if not result.report.ok:
        result.tables.clear()
        if raise_on_block:
            result.report.raise_if_blocked()
    return result
