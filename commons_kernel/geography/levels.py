"""Geographic levels and their vintages, read from GSS codes and column names.

A level is a kind of area (LSOA, MSOA, ward, local authority, combined authority) plus the year of its boundaries
(its vintage): "LSOA 2011", "ward 2022". GSS codes say the kind (E01 is an LSOA), not the vintage: most LSOA codes
of 2011 are still LSOA codes in 2021. The vintage comes from the column name (``lsoa11_code``), or from a hierarchy
that knows which codes each vintage has. Under the GSS coding policy a code is retired when its boundary changes,
so a code that exists in two vintages names the same area in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from commons_kernel.exceptions import GeographyError

if TYPE_CHECKING:
    from commons_kernel.geography.hierarchy import Hierarchy

# Finest to coarsest: aggregation goes rightwards in this list.
KINDS = ("lsoa", "msoa", "ward", "lad", "cauth")
KIND_LABELS = {"lsoa": "LSOA", "msoa": "MSOA", "ward": "ward", "lad": "LAD", "cauth": "combined authority"}
PREFIX_KINDS = {
    "E01": "lsoa", "W01": "lsoa",
    "E02": "msoa", "W02": "msoa",
    "E05": "ward", "W05": "ward",
    "E06": "lad", "E07": "lad", "E08": "lad", "E09": "lad", "W06": "lad",
    "E47": "cauth",
}
KIND_ALIASES = {
    "lsoa": "lsoa", "msoa": "msoa",
    "ward": "ward", "wd": "ward", "electoral ward": "ward",
    "lad": "lad", "la": "lad", "local authority": "lad", "local authority district": "lad", "borough": "lad",
    "cauth": "cauth", "ca": "cauth", "combined authority": "cauth", "lcr": "cauth", "city region": "cauth",
}
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
LEVEL_TEXT = re.compile(r"^\s*([a-z][a-z ]*?)[\s_-]*(\d{2}|\d{4})?\s*$")
CODE_COLUMN = re.compile(r"^(lsoa|msoa|ward|wd|lad|cauth)(\d{2})(?:_?code|cd)$", re.IGNORECASE)
PERIOD_COLUMNS = ("period", "month", "week_start", "quarter", "year", "date")


@dataclass(frozen=True)
class Level:
    """A kind of area and, when known, the year of its boundaries."""

    kind: str
    year: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise GeographyError(f"Unknown kind of area {self.kind!r}; known kinds: {', '.join(KINDS)}.")

    @property
    def key(self) -> str:
        """Short name used in column names: ``lsoa11``, ``ward22``; just the kind when the year is unknown."""
        return self.kind if self.year is None else f"{self.kind}{self.year % 100:02d}"

    @property
    def label(self) -> str:
        """Readable name: "LSOA 2011", "ward 2022"."""
        kind = KIND_LABELS[self.kind]
        return kind if self.year is None else f"{kind} {self.year}"

    @property
    def code_column(self) -> str:
        return f"{self.key}_code"

    @property
    def name_column(self) -> str:
        return f"{self.key}_name"

    @property
    def rank(self) -> int:
        """Position from finest (0, LSOA) to coarsest (4, combined authority)."""
        return KINDS.index(self.kind)

    def __str__(self) -> str:
        return self.label


def parse_level(level: "Level | str") -> Level:
    """A Level from text such as "lsoa11", "LSOA 2011", "ward 2022", "lad22", "local authority" or "lcr"."""
    if isinstance(level, Level):
        return level
    text = str(level).strip().lower().replace("_", " ")
    match = LEVEL_TEXT.match(text)
    kind = KIND_ALIASES.get(match.group(1).strip()) if match else None
    if kind is None:
        raise GeographyError(
            f"{level!r} is not a level the commons knows. Write the kind and, if you need one, the year of the "
            f"boundaries: 'lsoa11', 'LSOA 2021', 'msoa21', 'ward 2022', 'lad22', 'local authority' or 'lcr'."
        )
    year = match.group(2)
    if year is None:
        return Level(kind)
    return Level(kind, int(year) + 2000 if len(year) == 2 else int(year))


def level_from_column(column: str | None) -> Level | None:
    """The level a column name declares (``lsoa11_code``, ``LSOA11CD``, ``WD22CD``), or None."""
    if not column:
        return None
    match = CODE_COLUMN.match(str(column))
    if not match:
        return None
    return Level(KIND_ALIASES[match.group(1).lower()], 2000 + int(match.group(2)))


def kind_of_codes(codes: Iterable) -> str:
    """The kind of area all of ``codes`` are, from their GSS prefixes; raises when they are not one kind."""
    series = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes, dtype="object")
    if series.isna().any():
        raise GeographyError(
            f"{int(series.isna().sum())} area code(s) are missing. Drop or fill those rows first "
            f"(frame.dropna(subset=[...]))."
        )
    if series.empty:
        raise GeographyError("There are no area codes to read a level from.")
    text = series.astype(str).str.strip()
    bad = text[~text.str.match(GSS_CODE)]
    if not bad.empty:
        raise GeographyError(
            f"{bad.iloc[0]!r} is not a GSS code ({len(bad)} value(s) are not): a GSS code is a letter and eight "
            f"digits, for example E01006512 (an LSOA) or E08000012 (Liverpool)."
        )
    kinds = text.str[:3].map(PREFIX_KINDS)
    unknown = text[kinds.isna()]
    if not unknown.empty:
        raise GeographyError(
            f"Codes starting {unknown.str[:3].iloc[0]!r} (e.g. {unknown.iloc[0]}) are not a level the commons links: "
            f"known prefixes are {', '.join(sorted(PREFIX_KINDS))}."
        )
    found = kinds.value_counts()
    if len(found) > 1:
        mix = ", ".join(f"{count} {KIND_LABELS[kind]}" for kind, count in found.items())
        raise GeographyError(
            f"The codes mix levels ({mix}). Keep one level before linking, e.g. "
            f"frame[frame['area_level'] == 'lsoa21'] for a Census table."
        )
    return str(found.index[0])


def detect_level(codes: Iterable, column: str | None = None, hierarchy: "Hierarchy | None" = None) -> Level:
    """The level of a set of GSS codes, with its vintage when it can be known.

    The kind comes from the code prefixes (E01 LSOA, E02 MSOA, E05 ward, E06/E07/E08/E09 local authority, E47
    combined authority). The vintage comes from ``column`` (or the Series' name) when it is like ``lsoa11_code``;
    otherwise from ``hierarchy``: the latest vintage whose codes include all of them. Without either, the year is
    None.
    """
    if column is None and isinstance(codes, pd.Series):
        column = codes.name
    kind = kind_of_codes(codes)
    declared = level_from_column(column)
    if declared is not None:
        if declared.kind != kind:
            raise GeographyError(
                f"Column {column!r} says {declared.label} but its codes are {KIND_LABELS[kind]} codes. Rename the "
                f"column or check the data."
            )
        return declared
    if hierarchy is not None:
        return hierarchy.vintage_of(kind, codes)
    return Level(kind)


def area_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that hold area codes: ``<level>_code`` columns and a Census ``area_code``."""
    found = [c for c in frame.columns if level_from_column(c) is not None]
    if "area_code" in frame.columns:
        found.append("area_code")
    return found


def frame_level(frame: pd.DataFrame, area: str | None = None, hierarchy: "Hierarchy | None" = None,
                what: str = "the frame") -> tuple[str, Level]:
    """The area column of ``frame`` and its level.

    With ``area`` unset, the column is the one ``<level>_code`` column, or the finest of several (a row of
    ``imd2019_lsoa11`` is an LSOA even though it also names its local authority), or ``area_code``.
    """
    if area is None:
        candidates = area_columns(frame)
        if not candidates:
            raise GeographyError(
                f"{what} has no area code column (like lsoa11_code, ward22_code or area_code). Name it with "
                f"area='COLUMN'."
            )
        declared = [(level_from_column(c), c) for c in candidates if level_from_column(c) is not None]
        area = min(declared, key=lambda pair: pair[0].rank)[1] if declared else candidates[0]
    elif area not in frame.columns:
        raise GeographyError(f"{what} has no column {area!r}; its columns are {', '.join(map(str, frame.columns))}.")
    column_hint = area
    if area == "area_code" and "area_level" in frame.columns:
        levels = frame["area_level"].dropna().unique()
        if len(levels) > 1:
            raise GeographyError(
                f"{what} mixes levels in area_level ({', '.join(sorted(map(str, levels)))}). Keep one first, e.g. "
                f"frame[frame['area_level'] == '{sorted(map(str, levels))[0]}']."
            )
        if len(levels) == 1:
            declared = parse_level(levels[0])
            column_hint = declared.code_column if declared.year is not None else None
    return area, detect_level(frame[area], column=column_hint, hierarchy=hierarchy)
