"""Numbers in plain English: counts, percentages, scores, and how a place compares with its borough and region."""

from __future__ import annotations

import math

SUPPRESSED = "fewer than 10"


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in {"<NA>", "nan"}


def count(value) -> str:
    """A count of people or records; a count blanked by disclosure control reads "fewer than 10"."""
    return SUPPRESSED if missing(value) else f"{int(round(float(value))):,}"


def number(value, decimals: int = 1) -> str:
    return "not available" if missing(value) else f"{float(value):,.{decimals}f}"


def percent(value, decimals: int = 0) -> str:
    """``value`` is a share from 0 to 1."""
    return "not available" if missing(value) else f"{100 * float(value):.{decimals}f}%"


def compare_word(value, other, tolerance: float = 0.0) -> str:
    if missing(value) or missing(other):
        return "not comparable with"
    difference = float(value) - float(other)
    if abs(difference) <= tolerance:
        return "about the same as"
    return "higher than" if difference > 0 else "lower than"


def versus(value, against: list[tuple[str, object]], formatter=number, tolerance: float = 0.0) -> str:
    """ "higher than Liverpool (42.4) and lower than the city region (45.0)" for each (name, value) given."""
    parts = [f"{compare_word(value, other, tolerance)} {name} ({formatter(other)})" for name, other in against]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
