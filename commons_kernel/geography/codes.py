"""Kinds of area, their GSS codes, and the Level value (a kind plus the year of its boundaries).

The piece of geography that everything else stands on: crosswalks, the hierarchy and the frame readers in
``levels`` all use it, and it uses none of them (so the package has no import circle).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from commons_kernel.exceptions import GeographyError

# Finest to coarsest: aggregation goes rightwards in this list.
KINDS = ("lsoa", "msoa", "ward", "lad", "cauth")
KIND_LABELS = {"lsoa": "LSOA", "msoa": "MSOA", "ward": "ward", "lad": "LAD", "cauth": "combined authority"}
PREFIX_KINDS = {
    "E01": "lsoa",
    "W01": "lsoa",
    "E02": "msoa",
    "W02": "msoa",
    "E05": "ward",
    "W05": "ward",
    "E06": "lad",
    "E07": "lad",
    "E08": "lad",
    "E09": "lad",
    "W06": "lad",
    "E47": "cauth",
}
KIND_ALIASES = {
    "lsoa": "lsoa",
    "msoa": "msoa",
    "ward": "ward",
    "wd": "ward",
    "electoral ward": "ward",
    "lad": "lad",
    "la": "lad",
    "local authority": "lad",
    "local authority district": "lad",
    "borough": "lad",
    "cauth": "cauth",
    "ca": "cauth",
    "combined authority": "cauth",
    "lcr": "cauth",
    "city region": "cauth",
}
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
LEVEL_TEXT = re.compile(r"^\s*([a-z][a-z ]*?)[\s_-]*(\d{2}|\d{4})?\s*$")
CODE_COLUMN = re.compile(r"^(lsoa|msoa|ward|wd|lad|cauth)(\d{2})(?:_?code|cd)$", re.IGNORECASE)


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


def parse_level(level: Level | str) -> Level:
    """A Level from text such as "lsoa11", "LSOA 2011", "ward 2022", "lad22", "local authority" or "lcr"."""
    if isinstance(level, Level):
        return level
    text = str(level).strip().lower().replace("_", " ")
    match = LEVEL_TEXT.match(text)
    kind = KIND_ALIASES.get(match.group(1).strip()) if match else None
    if match is None or kind is None:
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
