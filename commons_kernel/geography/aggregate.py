"""aggregate(): combine rows of small areas into larger areas (or another vintage) with stated rules and weights."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography.codes import Level
from commons_kernel.geography.hierarchy import Hierarchy, require_hierarchy
from commons_kernel.geography.levels import frame_level
from commons_kernel.geography.measures import SUM, Measure, build_measures, contributions


def aggregate(
    frame: pd.DataFrame,
    to: Level | str,
    *,
    hierarchy: Hierarchy | None = None,
    sums: Iterable[str] = (),
    means: Mapping | None = None,
    shares: Mapping | None = None,
    ratios: Mapping | None = None,
    by: str | Iterable[str] = (),
    area: str | None = None,
) -> pd.DataFrame:
    """Rows of ``frame`` combined into the areas of level ``to`` ("lad22", "ward 2022", "lcr", "LSOA 2021").

    Say what to compute for each column (see ``build_measures``): ``sums`` for counts; ``means`` for scores and
    rates, each with its weights (``{"imd_score": "pop_total"}``); ``shares`` for the share of areas (or of a
    weight) meeting a condition; ``ratios`` for sum(numerator) / sum(denominator). ``by`` keeps other keys apart
    (a period column, sex). ``area`` names the code column when it cannot be found.

    When a source area is shared between target areas (a split LSOA), counts are apportioned by the crosswalk's
    allocation and weights are multiplied by it. The result has ``<level>_code``, ``<level>_name``, the ``by``
    columns, the measures and ``n_<source level>`` (areas that contributed); ``result.attrs["method"]`` says, in
    words, how each column was made and ``result.attrs["method_details"]`` holds the same as a dict.
    """
    hierarchy = require_hierarchy(hierarchy)
    measures = build_measures(sums, means, shares, ratios)
    if not measures:
        raise GeographyError(
            "Say what to compute: sums=['population'], means={'imd_score': 'pop_total'}, "
            "shares={'most_deprived': 'imd_decile == 1'} or ratios={'rate': ('cases', 'population')}."
        )
    area, source = frame_level(frame, area, hierarchy)
    return convert(frame, area, source, hierarchy.resolve(to), measures, by, hierarchy, "the frame")


def convert(
    frame: pd.DataFrame,
    area: str,
    source: Level,
    target: Level,
    measures: list[Measure],
    by: str | Iterable[str],
    hierarchy: Hierarchy,
    what: str,
) -> pd.DataFrame:
    """The work of ``aggregate`` once the area column, the levels and the measures are known."""
    by = [by] if isinstance(by, str) else list(by)
    absent = [column for column in by if column not in frame.columns]
    if absent:
        raise GeographyError(f"{what} has no column(s) {absent} to keep apart (by=...).")
    codes = frame[area].astype(str)
    if source.year is None:
        raise GeographyError(
            f"The codes in {what}'s column {area!r} are not {source.label} codes the hierarchy "
            f"knows (e.g. {codes.iloc[0]}). Name the vintage in the column (lsoa11_code) or check "
            f"the area is in the Liverpool City Region."
        )
    walk = hierarchy.crosswalk(source, target, codes=codes.unique())
    unknown = codes[~codes.isin(walk.source_codes)]
    if not unknown.empty:
        raise GeographyError(
            f"{unknown.nunique()} {source.label} code(s) in {what} are not in the lookups (e.g. {unknown.iloc[0]}). "
            f"Keep the areas the hierarchy knows first: frame[frame[{area!r}].isin(hierarchy.codes("
            f"'{source.key}'))]."
        )
    clash = {m.name for m in measures} & {target.code_column, target.name_column, *by}
    if clash:
        raise GeographyError(f"{sorted(clash)} is both a measure and a key column; rename the measure.")

    needed = {area, *by}.union(*(measure.reads(frame.columns) for measure in measures))
    frame = pd.DataFrame(frame[[column for column in frame.columns if column in needed]])  # only what is read
    placed = pd.DataFrame({"source_code": codes.to_numpy(), "row": np.arange(len(frame))}).merge(
        walk.pairs, on="source_code", how="inner", sort=False
    )
    expanded = frame.iloc[placed["row"].to_numpy()].reset_index(drop=True)
    allocation = placed["allocation"].to_numpy()
    work = {"target_code": placed["target_code"].to_numpy()}
    work.update({column: expanded[column].to_numpy() for column in by})
    for index, measure in enumerate(measures):
        numerator, denominator = contributions(measure, expanded, expanded[area].astype(str), allocation, what)
        work[f"n{index}"] = numerator
        if denominator is not None:
            work[f"d{index}"] = denominator
    keys = ["target_code", *by]
    grouped = pd.DataFrame(work).groupby(keys, sort=True, dropna=False)
    sums = grouped.sum(min_count=1)

    result = pd.DataFrame(index=sums.index)
    whole = bool(np.all(allocation == 1.0))  # no area was shared: whole-number counts stay whole numbers
    for index, measure in enumerate(measures):
        if measure.rule == SUM:
            result[measure.name] = sums[f"n{index}"]
            if whole and pd.api.types.is_integer_dtype(frame[measure.column]):
                result[measure.name] = result[measure.name].round().astype("Int64")
        else:
            denominator = sums[f"d{index}"]
            result[measure.name] = (sums[f"n{index}"] / denominator.where(denominator > 0)) * measure.per
    sources = pd.DataFrame(
        {
            "target_code": placed["target_code"].to_numpy(),
            "source": placed["source_code"],
            **{column: expanded[column].to_numpy() for column in by},
        }
    )
    result[f"n_{source.key}"] = sources.groupby(keys, sort=True, dropna=False)["source"].nunique()
    result = result.reset_index().rename(columns={"target_code": target.code_column})
    result.insert(1, target.name_column, result[target.code_column].map(hierarchy.names(target)))

    unit = f"{source.label} area"
    conversion = walk.method
    lines = [f"{source.label} → {target.label}: {conversion}."]
    lines += [f"- {measure.describe(unit)}" for measure in measures]
    if any(measure.rule != SUM for measure in measures):
        lines.append("Rows with a missing value or weight are left out of that column's mean, share or ratio.")
    if by:
        lines.append(f"Kept apart by {', '.join(by)}.")
    result.attrs["method"] = "\n".join(lines)
    result.attrs["method_details"] = {
        "from": source.key,
        "to": target.key,
        "conversion": list(walk.steps),
        "by": by,
        "measures": {measure.name: measure.as_dict() for measure in measures},
    }
    return result
