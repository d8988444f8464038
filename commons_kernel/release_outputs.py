"""Outputs of a release request as files, and the checks both the kernel and the data-api run on them.

The kernel turns the analyst's objects into ``Output``s and checks them before sending; the data-api decodes
the same ``Output``s and checks them again, because it cannot trust a kernel the analyst controls. Kinds:

- ``table``: a pandas DataFrame or Series, sent as Parquet (the data-api adds a CSV copy). Every whole-number
  column is treated as a count of records and checked cell by cell with ``disclosure.check_output``; the
  analyst cannot switch that off by naming columns, so labels such as a year belong in the index.
- ``model``: a statsmodels (or ACRO) results object, sent as its summary text. The residual degrees of freedom
  printed in the summary are checked against the ``dof`` threshold.
- ``figure``: a matplotlib figure or a PNG file, sent as PNG. Nobody can check a picture automatically: the
  output checkers look at it.
- ``text``: a string (a caption, a commentary), sent as UTF-8. The checkers read it.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from commons_kernel.disclosure import Thresholds, check_output
from commons_kernel.disclosure.rules import FAIL, PASS, REVIEW
from commons_kernel.exceptions import ValidationFailed

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
KINDS = {  # kind: (file extension, media type)
    "table": ("parquet", "application/vnd.apache.parquet"),
    "model": ("txt", "text/plain; charset=utf-8"),
    "figure": ("png", "image/png"),
    "text": ("txt", "text/plain; charset=utf-8"),
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LARGE_TABLE_ROWS = 1000
DOF_PATTERN = re.compile(r"Df Residuals:\s*([0-9]+)")


def _checked_name(name: object) -> str:
    """``name`` when it can name a file (any JSON value may arrive in a request)."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValidationFailed(
            f"Output name {name!r} cannot name a file: use letters, digits, - and _ (up to 80), starting "
            f"with a letter or digit, e.g. 'weekly_referrals_by_borough'."
        )
    return name


def _checked_kind(name: object, kind: object) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValidationFailed(f"Output {name!r} has kind {kind!r}; kinds are {', '.join(KINDS)}.")
    return kind


@dataclass
class Output:
    """One object of a release request, as the bytes that will be stored and checked."""

    name: str
    kind: str
    content: bytes
    exception: str | None = None  # why a failing output should be released anyway (checkers decide)
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _checked_name(self.name)
        _checked_kind(self.name, self.kind)

    @property
    def filename(self) -> str:
        return f"{self.name}.{KINDS[self.kind][0]}"

    def to_payload(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "exception": self.exception,
            "details": self.details,
            "content": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_payload(cls, item: Any) -> Output:
        if not isinstance(item, dict):
            raise ValidationFailed("Each output is an object with name, kind and content (base64).")
        try:
            content = base64.b64decode(item.get("content") or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise ValidationFailed(f"Output {item.get('name')!r}: content is not base64.") from None
        exception = item.get("exception")
        details = item.get("details") or {}
        if exception is not None and not isinstance(exception, str):
            raise ValidationFailed(f"Output {item.get('name')!r}: exception must be a sentence saying why.")
        if not isinstance(details, dict):
            raise ValidationFailed(f"Output {item.get('name')!r}: details must be an object.")
        return cls(
            name=_checked_name(item.get("name")),
            kind=_checked_kind(item.get("name"), item.get("kind")),
            content=content,
            exception=exception.strip() or None if exception else None,
            details=details,
        )


@dataclass
class OutputCheck:
    """What the checks found in one output: ``status`` pass, review or fail, a sentence, the report (no values)."""

    status: str
    summary: str
    report: dict | None = None
    failing: list[str] = field(default_factory=list)  # "(row, column): reasons" of failing cells, no values

    def to_dict(self) -> dict:
        return {"status": self.status, "summary": self.summary, "report": self.report, "failing": self.failing}


# -- tables ---------------------------------------------------------------------------------------------------


def table_to_parquet(frame: pd.DataFrame | pd.Series) -> bytes:
    """A table as Parquet, labels (index) kept; column labels made text, as Parquet needs."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=str(frame.name) if frame.name is not None else "value")
    frame = frame.copy()
    frame.columns = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in frame.columns]
    sink = io.BytesIO()
    frame.to_parquet(sink, index=True)
    return sink.getvalue()


def table_from_parquet(content: bytes) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(content))
    except Exception as exc:  # noqa: BLE001 - any parse failure means the bytes are not a table we accept
        raise ValidationFailed(f"A table output is not readable Parquet ({type(exc).__name__}).") from None


def count_columns(frame: pd.DataFrame) -> list:
    """Columns treated as counts: integer columns, and number columns whose every value is whole (as counts are
    after suppression turns some cells blank). Errs on the safe side: move labels such as a year into the index."""
    found = []
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        present = values.dropna()
        if pd.api.types.is_integer_dtype(values) or (len(present) and (present % 1 == 0).all()):
            found.append(column)
    return found


def check_table(frame: pd.DataFrame, thresholds: Thresholds, label: str = "") -> OutputCheck:
    """Check every count cell of ``frame``; other numbers (means, rates, coefficients) need a checker's eyes."""
    notes = []
    if len(frame) > LARGE_TABLE_ROWS:
        notes.append(f"{len(frame)} rows: the checkers make sure this is a summary, not records about people.")
    counts = count_columns(frame)
    others = [c for c in frame.columns if c not in counts and pd.api.types.is_numeric_dtype(frame[c])]
    if others:
        notes.append(
            f"columns {', '.join(map(str, others))} are not counts and were not checked automatically: "
            f"the checkers review them with the analysis that made them."
        )
    if not counts:
        return OutputCheck(REVIEW, " ".join(["No count columns to check."] + notes))
    try:
        report = check_output(frame[counts], thresholds=thresholds, label=label)
    except ValidationFailed as exc:
        return OutputCheck(FAIL, f"The table could not be checked: {exc}")
    failing = [
        f"({row}, {column}): {reasons}"
        for row, column, reasons in report.failed_cells[["row", "column", "reasons"]].itertuples(index=False)
    ]
    status = report.status
    if status == PASS and (others or len(frame) > LARGE_TABLE_ROWS):
        status = REVIEW
    return OutputCheck(status, " ".join([report.summary] + notes), report.to_dict(), failing)


# -- models, figures, text ------------------------------------------------------------------------------------


def check_model_text(text: str, thresholds: Thresholds) -> OutputCheck:
    """A model summary passes when every residual degrees of freedom it prints meets the threshold."""
    found = [int(n) for n in DOF_PATTERN.findall(text)]
    if not found:
        return OutputCheck(REVIEW, "No residual degrees of freedom in the summary: the checkers judge the model.")
    dof = min(found)
    if dof < thresholds.dof:
        return OutputCheck(
            FAIL,
            f"The model has {dof} residual degrees of freedom, fewer than {thresholds.dof}.",
            failing=[f"Df Residuals: fewer than {thresholds.dof} residual degrees of freedom"],
        )
    return OutputCheck(PASS, f"The model has {dof} residual degrees of freedom (at least {thresholds.dof}).")


def check_file(output: Output, thresholds: Thresholds) -> OutputCheck:
    """The checks for one output: from its bytes (what the data-api can verify), made stricter, never looser,
    by the ACRO status the kernel recorded for it (``details["acro"]``)."""
    result = _check_bytes(output, thresholds)
    if output.details.get("acro") == FAIL and result.status != FAIL:
        result = OutputCheck(
            FAIL,
            f"ACRO failed this output in the analyst's session. {result.summary}",
            result.report,
            [*result.failing, "ACRO: the output fails its disclosure checks"],
        )
    return result


def _check_bytes(output: Output, thresholds: Thresholds) -> OutputCheck:
    if output.kind == "table":
        return check_table(table_from_parquet(output.content), thresholds, label=output.name)
    if output.kind == "figure":
        if not output.content.startswith(PNG_SIGNATURE):
            raise ValidationFailed(f"Figure {output.name!r} is not a PNG image: save it with savefig(format='png').")
        return OutputCheck(REVIEW, "A figure: the output checkers look at it.")
    try:
        text = output.content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(f"Output {output.name!r} is not UTF-8 text.") from None
    if output.kind == "model":
        return check_model_text(text, thresholds)
    return OutputCheck(REVIEW, "Text: the output checkers read it.")


def worst(statuses) -> str:
    order = {PASS: 0, REVIEW: 1, FAIL: 2}
    return max(statuses, key=order.__getitem__, default=PASS)
