"""One table of places at several levels (ward, borough, city region), so every figure has its comparisons.

``stack_levels`` aggregates a frame of small areas (LSOAs) with ``commons_kernel.geography.aggregate`` to each
level and stacks the results with the same columns: ``code, name, level, parent_code, parent_name`` and the
measures. A ward's parent is its borough; a borough's parent is the city region.
"""

from __future__ import annotations

import pandas as pd

LCR_CODE, LCR_NAME = "E47000004", "Liverpool City Region"
LEVELS = {"ward22": "ward", "lad22": "borough", "cauth22": "region"}


def stack_levels(
    frame: pd.DataFrame, hierarchy, ward_parents: pd.DataFrame, levels=("ward22", "lad22", "cauth22"), **measures
) -> pd.DataFrame:
    """``ward_parents``: lookup_ward22_lad22 (ward22_code, lad22_code, lad22_name)."""
    from commons_kernel.geography import aggregate

    parts = []
    for level in levels:
        result = aggregate(frame, to=level, hierarchy=hierarchy, **measures)
        result = result.rename(columns={f"{level}_code": "code", f"{level}_name": "name"})
        result = result.drop(columns=[c for c in result.columns if c.startswith("n_")])
        result.insert(2, "level", LEVELS[level])
        if level == "ward22":
            parents = ward_parents.drop_duplicates("ward22_code").set_index("ward22_code")
            result.insert(3, "parent_code", result["code"].map(parents["lad22_code"]))
            result.insert(4, "parent_name", result["code"].map(parents["lad22_name"]))
        elif level == "lad22":
            result.insert(3, "parent_code", LCR_CODE)
            result.insert(4, "parent_name", LCR_NAME)
        else:
            result.insert(3, "parent_code", "")
            result.insert(4, "parent_name", "")
        parts.append(result)
    return pd.concat(parts, ignore_index=True)


def merge_levels(*frames: pd.DataFrame) -> pd.DataFrame:
    """Join several stacked frames on their place columns."""
    keys = ["code", "name", "level", "parent_code", "parent_name"]
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.merge(frame, on=keys, how="outer")
    return merged


def place_and_parents(areas: pd.DataFrame, code: str) -> tuple[pd.Series, pd.Series | None, pd.Series]:
    """The row of ``code``, its borough's row (None when ``code`` is a borough or the region), and the region's."""
    from commons_kernel.stories.kit import require_place

    row = require_place(areas, "code", code, "place")
    region = areas[areas["level"] == "region"].iloc[0]
    borough = None
    if row["level"] == "ward":
        borough = areas[areas["code"] == row["parent_code"]].iloc[0]
    return row, borough, region
