"""The level of a frame or a set of codes: which column holds the areas, and which kind and vintage they are.

A level is a kind of area (LSOA, MSOA, ward, local authority, combined authority) plus the year of its boundaries
(its vintage): "LSOA 2011", "ward 2022". GSS codes say the kind (E01 is an LSOA), not the vintage: most LSOA codes
of 2011 are still LSOA codes in 2021. The vintage comes from the column name (``lsoa11_code``), or from a hierarchy
that knows which codes each vintage has. Under the GSS coding policy a code is retired when its boundary changes,
so a code that exists in two vintages names the same area in both.

The Level value and the code parsers are in ``codes``; this module may ask a Hierarchy for a vintage (the
hierarchy itself needs only ``codes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography.codes import KIND_LABELS, Level, kind_of_codes, level_from_column, parse_level

if TYPE_CHECKING:
    from commons_kernel.geography.hierarchy import Hierarchy

PERIOD_COLUMNS = ("period", "month", "week_start", "quarter", "year", "date")


def detect_level(codes: Iterable, column: str | None = None, hierarchy: Hierarchy | None = None) -> Level:
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


def frame_level(
    frame: pd.DataFrame, area: str | None = None, hierarchy: Hierarchy | None = None, what: str = "the frame"
) -> tuple[str, Level]:
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
        named = [(level, c) for c in candidates if (level := level_from_column(c)) is not None]
        area = min(named, key=lambda pair: pair[0].rank)[1] if named else candidates[0]
    elif area not in frame.columns:
        raise GeographyError(f"{what} has no column {area!r}; its columns are {', '.join(map(str, frame.columns))}.")
    column_hint: str | None = area
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
