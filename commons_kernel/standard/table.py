"""A table as the checks see it: the contributor's frame, every cell as text, and the line of each row."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd


@dataclass
class Table:
    name: str  # what issues call the file: "visits.csv", "book.xlsx[Data]", "bundle.zip:visits.csv"
    text: pd.DataFrame  # every cell as a string; "" when empty
    frame: pd.DataFrame | None = None  # the frame as given (typed), when the input was a frame or Parquet
    lines: list[int] | None = None  # the file line of each row; None: row i is on line i + 2

    def line_of(self, position: int) -> int:
        """1-based line of the row at ``position``, counting the header as line 1."""
        if self.lines is not None and 0 <= position < len(self.lines):
            return self.lines[position]
        return position + 2

    @property
    def dtypes(self) -> dict | None:
        return None if self.frame is None else dict(self.frame.dtypes)


def _float_text(value) -> str:
    if pd.isna(value):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def column_as_text(series: pd.Series) -> pd.Series:
    """One column as strings the way a CSV would hold them: "" for missing, 3 not 3.0, ISO 8601 for dates."""
    if pd.api.types.is_bool_dtype(series):
        return series.map(lambda v: "" if pd.isna(v) else ("true" if v else "false")).astype(object)
    if pd.api.types.is_integer_dtype(series):
        return series.astype(object).map(lambda v: "" if pd.isna(v) else str(int(v)))
    if pd.api.types.is_float_dtype(series):
        return series.map(_float_text).astype(object)
    if pd.api.types.is_datetime64_any_dtype(series):
        midnight = (series.dropna().dt.normalize() == series.dropna()).all()
        return series.map(lambda v: "" if pd.isna(v) else (v.date().isoformat() if midnight else v.isoformat()))
    return series.map(
        lambda v: (
            ""
            if v is None or (not isinstance(v, (list, dict, bytes)) and pd.isna(v))
            else (v.isoformat() if hasattr(v, "isoformat") else str(v))
        )
    ).astype(object)


def frame_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {name: column_as_text(frame.iloc[:, i]) for i, name in enumerate(frame.columns)},
        index=range(len(frame)),
        columns=list(frame.columns),
    )


def table_from_frame(frame: pd.DataFrame, name: str) -> Table:
    frame = frame.reset_index(drop=True)
    if frame.columns.duplicated().any():
        # a dict cannot hold duplicate names; keep positions so the header check can name them
        text = pd.DataFrame({i: column_as_text(frame.iloc[:, i]) for i in range(frame.shape[1])})
        text.columns = list(frame.columns)
        return Table(name=name, text=text, frame=frame)
    return Table(name=name, text=frame_as_text(frame), frame=frame)


def typed_frame(table: Table, numbers: dict[str, str]) -> pd.DataFrame:
    """The frame to store: the given frame as it was, or the text with numeric columns converted."""
    if table.frame is not None:
        return table.frame
    frame = table.text.copy()
    for name, kind in numbers.items():
        if name in frame.columns:
            converted = pd.to_numeric(frame[name].replace("", None), errors="coerce")
            frame[name] = converted.astype("Int64") if kind == "integer" else converted.astype("float64")
    return frame


def matching(values: pd.Series, predicate) -> pd.Series:
    """``predicate(value)`` for every value, worked out once per distinct value (columns repeat a lot)."""
    hits = {value for value in values.unique() if predicate(value)}
    return values.isin(hits)


def fullmatch(values: pd.Series, pattern: str) -> pd.Series:
    compiled = re.compile(pattern)
    return matching(values, lambda value: isinstance(value, str) and compiled.fullmatch(value) is not None)
