"""A crosswalk: which target areas each source area goes to, and what share of it goes to each.

``allocation`` is the share of a source area's quantity that goes to a target area; it sums to 1 for every source
area. A best-fit or nesting lookup has allocation 1 everywhere; a split LSOA shares its quantity among its parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography.codes import Level

PAIR_COLUMNS = ["source_code", "target_code", "allocation"]


@dataclass(frozen=True)
class Crosswalk:
    source: Level
    target: Level
    pairs: pd.DataFrame = field(repr=False)
    method: str = ""
    steps: tuple[str, ...] = ()

    def __post_init__(self):
        missing = [c for c in PAIR_COLUMNS if c not in self.pairs.columns]
        if missing:
            raise GeographyError(f"A crosswalk needs columns {PAIR_COLUMNS}; missing {missing}.")
        if not self.steps:
            object.__setattr__(self, "steps", (self.method,))

    @property
    def source_codes(self) -> pd.Index:
        return pd.Index(self.pairs["source_code"].unique())

    def then(self, other: Crosswalk) -> Crosswalk:
        """This crosswalk followed by ``other``: allocations multiply along the way."""
        if other.source != self.target:
            raise GeographyError(f"Cannot follow {self.target.label} with a crosswalk from {other.source.label}.")
        joined = self.pairs.merge(other.pairs, left_on="target_code", right_on="source_code", suffixes=("", "_next"))
        joined["allocation"] = joined["allocation"] * joined["allocation_next"]
        pairs = (
            joined.groupby(["source_code", "target_code_next"], as_index=False, sort=True)["allocation"]
            .sum()
            .rename(columns={"target_code_next": "target_code"})
        )
        return Crosswalk(
            self.source,
            other.target,
            pairs,
            method=f"{self.method}; then {other.method}",
            steps=self.steps + other.steps,
        )


def nesting(
    source: Level, target: Level, frame: pd.DataFrame, source_column: str, target_column: str, method: str
) -> Crosswalk:
    """A crosswalk where every source area lies in (or is assigned to) exactly one target area."""
    pairs = frame[[source_column, target_column]].drop_duplicates()
    counts = pairs[source_column].value_counts()
    several = counts[counts > 1]
    if not several.empty:
        raise GeographyError(
            f"{source.label} {several.index[0]} is assigned to {int(several.iloc[0])} {target.label} areas in the "
            f"lookup ({len(several)} such codes); a nesting lookup gives one. Check the lookup frame."
        )
    pairs = pairs.rename(columns={source_column: "source_code", target_column: "target_code"})
    pairs["allocation"] = 1.0
    return Crosswalk(source, target, pairs.reset_index(drop=True), method=method)


def identity(level: Level, codes, method: str = "no change of geography") -> Crosswalk:
    codes = pd.Index(pd.unique(pd.Series(list(codes), dtype="object")))
    pairs = pd.DataFrame({"source_code": codes, "target_code": codes, "allocation": 1.0})
    return Crosswalk(level, level, pairs, method=method)


def shared_by_weights(
    source: Level,
    target: Level,
    frame: pd.DataFrame,
    source_column: str,
    target_column: str,
    weights: pd.Series | None,
    weights_label: str,
    method: str,
) -> Crosswalk:
    """A crosswalk where a source area that maps to several target areas is shared among them by target weights.

    The share of source area s going to target t is w(t) / sum of w(t') over the targets t' of s. This is exact
    for unchanged, split and merged areas when w is the population of the target areas; with no weights the
    source is split equally among its targets (and the method says so).
    """
    pairs = (
        frame[[source_column, target_column]]
        .drop_duplicates()
        .rename(columns={source_column: "source_code", target_column: "target_code"})
    )
    fans = pairs.groupby("source_code")["target_code"].transform("size")
    if weights is None:
        pairs["allocation"] = 1.0 / fans
        how = "split equally among its parts (no weights given)"
    else:
        w = pairs["target_code"].map(weights)
        needed = w[fans > 1]
        if needed.isna().any():
            missing = pairs.loc[needed[needed.isna()].index, "target_code"]
            raise GeographyError(
                f"{weights_label} has no value for {len(missing)} {target.label} area(s) that share a "
                f"{source.label} (e.g. {missing.iloc[0]}). Give weights for every {target.label} area."
            )
        if (needed < 0).any():
            raise GeographyError(f"{weights_label} has negative values; weights must be 0 or more.")
        w = w.where(fans > 1, 1.0).astype(float)
        total = w.groupby(pairs["source_code"]).transform("sum")
        pairs["allocation"] = (w / total).where(total > 0, 1.0 / fans)
        how = f"shared among its parts in proportion to {weights_label}"
    shared = int((fans > 1).sum())
    article = "an" if source.label[0] in "AEIOLMNRSX" and source.kind in ("lsoa", "msoa") else "a"
    text = f"{method}; {article} {source.label} area with several {target.label} parts is {how}" if shared else method
    return Crosswalk(source, target, pairs.reset_index(drop=True), method=text)
