"""What to compute for each column when areas are combined: sums, weighted means, shares and ratios.

Each rule becomes a numerator and (except sums) a denominator per row, multiplied by the row's allocation (the
share of its area that goes to the target area); the target value is sum(numerator) / sum(denominator).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from commons_kernel.exceptions import GeographyError

SUM, WEIGHTED_MEAN, MEAN, SHARE, RATIO = "sum", "weighted_mean", "mean", "share", "ratio"


@dataclass(frozen=True)
class Measure:
    name: str
    rule: str
    column: str | None = None
    weight: object = None
    condition: str | None = None
    denominator: str | None = None
    per: float = 1.0

    @property
    def weight_label(self) -> str | None:
        if self.weight is None:
            return None
        if isinstance(self.weight, str):
            return self.weight
        return str(getattr(self.weight, "name", None) or "the weights given")

    def describe(self, unit: str) -> str:
        """One readable line; ``unit`` names what a row is ("LSOA 2011 area")."""
        if self.rule == SUM:
            return f"{self.name}: sum of {self.column}"
        if self.rule == WEIGHTED_MEAN:
            return f"{self.name}: mean of {self.column} weighted by {self.weight_label}"
        if self.rule == MEAN:
            return f"{self.name}: unweighted mean of {self.column} (each {unit} counts once)"
        if self.rule == SHARE:
            if self.weight is None:
                return f"{self.name}: share of {unit}s where {self.condition}"
            return f"{self.name}: share of {self.weight_label} in {unit}s where {self.condition}"
        per = "" if self.per == 1 else f" × {self.per:g}"
        return f"{self.name}: sum of {self.column} / sum of {self.denominator}{per}"

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "column": self.column,
            "weights": self.weight_label,
            "condition": self.condition,
            "denominator": self.denominator,
            "per": self.per,
        }

    def columns(self) -> set[str]:
        """Frame columns this measure reads (the condition's are checked when it is evaluated)."""
        used = {self.column, self.denominator, self.weight if isinstance(self.weight, str) else None}
        return {c for c in used if c}

    def reads(self, columns: Iterable[str]) -> set[str]:
        """Which of ``columns`` this measure reads, the share condition's included."""
        named = self.columns()
        if self.condition is not None:
            tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", self.condition))
            named |= tokens | {self.condition}
        return named & set(columns)


def build_measures(
    sums: Iterable[str] = (), means: Mapping | None = None, shares: Mapping | None = None, ratios: Mapping | None = None
) -> list[Measure]:
    """Measures from the keyword arguments of ``aggregate`` and ``link``.

    sums: columns of counts, e.g. ["population"].
    means: {column: weights}; weights are a column name, a Series indexed by area code, or None for an
        unweighted mean (stated as such), e.g. {"imd_score": "pop_total"}.
    shares: {new column: condition} or {new column: (condition, weights)}; the condition is a boolean column or a
        pandas expression, e.g. {"share_most_deprived_decile": "imd_decile == 1"}.
    ratios: {new column: (numerator, denominator)} or (numerator, denominator, per), e.g.
        {"crimes_per_1000": ("crimes", "population", 1000)}.
    """
    if isinstance(sums, str):
        sums = [sums]
    found = [Measure(column, SUM, column=column) for column in sums]
    for column, weight in (means or {}).items():
        found.append(Measure(column, MEAN if weight is None else WEIGHTED_MEAN, column=column, weight=weight))
    for name, spec in (shares or {}).items():
        condition, weight = (spec, None) if isinstance(spec, str) else tuple(spec)
        found.append(Measure(name, SHARE, condition=condition, weight=weight))
    for name, spec in (ratios or {}).items():
        if not isinstance(spec, (tuple, list)) or len(spec) not in (2, 3):
            raise GeographyError(
                f"ratios[{name!r}] must be (numerator, denominator) or (numerator, denominator, "
                f"per), e.g. ('crimes', 'population', 1000)."
            )
        found.append(
            Measure(name, RATIO, column=spec[0], denominator=spec[1], per=float(spec[2]) if len(spec) == 3 else 1.0)
        )
    names = [m.name for m in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise GeographyError(f"{twice} would be computed twice; give each column one rule.")
    return found


def contributions(
    measure: Measure, frame: pd.DataFrame, codes: pd.Series, allocation: np.ndarray, what: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Numerator and denominator of ``measure`` for each row of ``frame`` (already expanded by the crosswalk)."""
    for column in measure.columns():
        if column not in frame.columns:
            raise GeographyError(
                f"{what} has no column {column!r} (needed for {measure.name!r}); its columns are "
                f"{', '.join(map(str, frame.columns))}."
            )
    if measure.rule == SUM:
        return _numbers(frame, _given(measure, "column", measure.column), what) * allocation, None
    if measure.rule == RATIO:
        numerator = _numbers(frame, _given(measure, "column", measure.column), what)
        denominator = _numbers(frame, _given(measure, "denominator", measure.denominator), what)
        valid = ~(np.isnan(numerator) | np.isnan(denominator))
        return (np.where(valid, numerator, 0.0) * allocation, np.where(valid, denominator, 0.0) * allocation)
    weights = _weights(measure, frame, codes, what)
    if measure.rule == SHARE:
        values = _condition(frame, _given(measure, "condition", measure.condition), what)
    else:
        values = _numbers(frame, _given(measure, "column", measure.column), what)
    valid = ~(np.isnan(values) | np.isnan(weights))
    weights = np.where(valid, weights, 0.0) * allocation
    return np.where(valid, values, 0.0) * weights, weights


def _given(measure: Measure, field: str, value: str | None) -> str:
    """``value``, the ``field`` that ``measure``'s rule needs; ``measures()`` always sets it."""
    if value is None:
        raise GeographyError(
            f"Measure {measure.name!r} ({measure.rule}) has no {field}; build measures with measures(), "
            f"e.g. measures(sums=['population'])."
        )
    return value


def _numbers(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = frame[column]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise GeographyError(
            f"Column {column!r} of {what} is not numeric ({values.dtype}); convert it first, e.g. "
            f"pd.to_numeric(frame[{column!r}].str.replace(',', ''))."
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


def _weights(measure: Measure, frame: pd.DataFrame, codes: pd.Series, what: str) -> np.ndarray:
    if measure.weight is None:
        return np.ones(len(frame))
    if isinstance(measure.weight, str):
        weights = _numbers(frame, measure.weight, what)
    elif isinstance(measure.weight, pd.Series):
        mapped = codes.map(measure.weight)
        if mapped.isna().any():
            missing = codes[mapped.isna()]
            raise GeographyError(
                f"The weights for {measure.name!r} ({measure.weight_label}) have no value for {missing.nunique()} "
                f"area(s) of {what} (e.g. {missing.iloc[0]}). Give a weight for every area."
            )
        weights = mapped.to_numpy(dtype=float, na_value=np.nan)
    else:
        raise GeographyError(
            f"Weights for {measure.name!r} must be a column name, a Series indexed by area code, "
            f"or None; got {type(measure.weight).__name__}."
        )
    if (weights < 0).any():
        raise GeographyError(f"The weights for {measure.name!r} have negative values; weights must be 0 or more.")
    return weights


def _condition(frame: pd.DataFrame, condition: str, what: str) -> np.ndarray:
    try:
        result = frame[condition] if condition in frame.columns else frame.eval(condition)
    except Exception as exc:  # pandas raises many kinds for a bad expression
        raise GeographyError(
            f"Cannot evaluate the share condition {condition!r} on {what}: {exc}. Write it as a "
            f"pandas expression over its columns, e.g. 'imd_decile == 1'."
        ) from exc
    if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result):
        raise GeographyError(f"The share condition {condition!r} must be true or false for each row.")
    return result.to_numpy(dtype=float, na_value=np.nan)
