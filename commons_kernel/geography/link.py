"""link(): join two frames on area and period, converting level or vintage first where they differ."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography.aggregate import convert
from commons_kernel.geography.codes import Level
from commons_kernel.geography.hierarchy import Hierarchy, require_hierarchy
from commons_kernel.geography.levels import PERIOD_COLUMNS, area_columns, frame_level
from commons_kernel.geography.measures import Measure, build_measures


def link(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    hierarchy: Hierarchy | None = None,
    to: Level | str | None = None,
    period: str | Iterable[str] | None = None,
    on: Iterable[str] = (),
    how: str = "inner",
    sums: Iterable[str] = (),
    means: Mapping | None = None,
    shares: Mapping | None = None,
    ratios: Mapping | None = None,
    a_area: str | None = None,
    b_area: str | None = None,
    suffixes: tuple[str, str] = ("_a", "_b"),
) -> pd.DataFrame:
    """``a`` and ``b`` joined on area (and period), after bringing both to one level.

    The common level is ``to`` if given; otherwise the newer vintage when both are the same kind of area (LSOA
    2011 data with LSOA 2021 data: the 2011 frame is converted through the ONS lookup), else the coarser level
    (LSOA data with ward data: the LSOA frame is aggregated to wards). A frame that must be converted needs a
    rule for each of its numeric columns, given as in ``aggregate``: ``sums`` for counts (split areas share them
    by the hierarchy's population weights), ``means`` with weights for scores and rates, ``shares``, ``ratios``.
    ``period`` names the period column(s) to join on; by default the period-like columns (period, month,
    week_start, quarter, year, date) that both frames have. ``on`` adds other join keys. ``how`` is as in
    ``pandas.merge``. ``result.attrs["method"]`` says what was converted and how.
    """
    hierarchy = require_hierarchy(hierarchy)
    area_a, level_a = frame_level(a, a_area, hierarchy, "frame a")
    area_b, level_b = frame_level(b, b_area, hierarchy, "frame b")
    target = hierarchy.resolve(to) if to is not None else common_level(level_a, level_b)
    if period is None:
        period = [c for c in PERIOD_COLUMNS if c in a.columns and c in b.columns]
    keys = ([period] if isinstance(period, str) else list(period)) + list(on)
    for name, frame in (("a", a), ("b", b)):
        absent = [k for k in keys if k not in frame.columns]
        if absent:
            raise GeographyError(f"frame {name} has no column(s) {absent} to join on.")
    measures = build_measures(sums, means, shares, ratios)

    sides: list[pd.DataFrame] = []
    lines: list[str] = []
    details: dict[str, object] = {"to": target.key, "on": [target.code_column, *keys]}
    for name, frame, area, level in (("a", a, area_a, level_a), ("b", b, area_b, level_b)):
        what = f"frame {name}"
        if level == target:
            ready = frame.rename(columns={area: target.code_column}).drop(columns=[target.name_column], errors="ignore")
            lines.append(f"frame {name}: already {target.label}, joined as it is.")
            details[name] = None
        else:
            carried = _measures_for(frame, measures)
            _check_all_carried(frame, area, keys, carried, what, level, target)
            ready = convert(frame, area, level, target, carried, keys, hierarchy, what)
            ready = ready.drop(columns=[target.name_column])
            lines.append(f"frame {name}: " + ready.attrs["method"].replace("\n", "\n  "))
            details[name] = ready.attrs["method_details"]
        sides.append(ready)

    joined = sides[0].merge(sides[1], on=[target.code_column, *keys], how=how, suffixes=suffixes)
    joined.insert(1, target.name_column, joined[target.code_column].map(hierarchy.names(target)))
    on_text = ", ".join([target.label, *keys])
    joined.attrs["method"] = "\n".join([f"Linked on {on_text} ({how} join)."] + lines)
    joined.attrs["method_details"] = details
    return joined


def common_level(a: Level, b: Level) -> Level:
    """The level two frames meet at: the same, the newer vintage of one kind, or the coarser kind."""
    if a == b:
        return a
    if a.kind == b.kind:
        return max(a, b, key=lambda level: level.year or 0)
    return max(a, b, key=lambda level: level.rank)


def _measures_for(frame: pd.DataFrame, measures: list[Measure]) -> list[Measure]:
    """The measures whose columns (and condition) belong to ``frame``."""
    chosen = []
    for measure in measures:
        if not measure.columns() <= set(frame.columns):
            continue
        if measure.condition is not None and measure.condition not in frame.columns:
            try:
                frame.head(0).eval(measure.condition)
            except Exception:  # the condition reads the other frame's columns
                continue
        chosen.append(measure)
    return chosen


def _check_all_carried(
    frame: pd.DataFrame, area: str, keys: list[str], carried: list[Measure], what: str, level: Level, target: Level
) -> None:
    used = set().union(*(m.reads(frame.columns) for m in carried)) if carried else set()
    skip = {area, *keys, *area_columns(frame)}
    numeric = [c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c])]
    left = [c for c in numeric if c not in used]
    if left:
        raise GeographyError(
            f"{what} must be converted from {level.label} to {target.label}, but there is no rule for column(s) "
            f"{left}. Name each: sums=[...] for counts, means={{column: weights}} for scores and rates, "
            f"shares={{...}} or ratios={{...}}; or drop the ones you do not need first "
            f"(frame.drop(columns=[...]))."
        )
