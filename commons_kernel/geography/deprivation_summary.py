"""MHCLG's summary measures of the Indices of Deprivation for any area made of LSOAs.

    ck.deprivation_summary(ck.read("imd2025_lsoa21"), to="lad")            # the six boroughs, 2025
    ck.deprivation_summary(ck.read("imd2019_lsoa11"), to="ward", domains=["imd", "income"])
    ck.deprivation_summary(frame, to={"E01006512": "North Huyton", ...})   # a custom set of LSOAs

The definitions are those of the English Indices of Deprivation 2019 Technical report (McLennan et al., MHCLG,
September 2019), section 3.8 and Appendix N "Summary measures for higher-level geographies", with the IoD2019
Research report (Appendix A); the same method is applied to IoD2025. For each domain d, with the LSOAs of an
area A, the domain's population denominator w (Appendix N: total population for the IMD and most domains, the
working-age population for Employment, children aged 0-15 for IDACI, people aged 60 and over for IDAOPI), and N
LSOAs in England (32,844 for IoD2019 on LSOA 2011; 33,755 for IoD2025 on LSOA 2021):

- average score: sum(w × score) / sum(w), the population-weighted mean of the LSOA scores;
- average rank: sum(w × r') / sum(w), where r' = N + 1 - rank, because "LSOAs are ranked such that the most
  deprived LSOA is given the rank of N" before averaging: a higher average rank is more deprived;
- proportion of LSOAs in the most deprived 10% nationally: the share of A's LSOAs with rank ≤ N / 10
  (national decile 1);
- extent: the share of A's population living in the most deprived 30% of LSOAs nationally, on a sliding scale:
  weight 1 in the most deprived 10% (national percentile p ≤ 10, p = ceil(100 × rank / N)), then 0.95 at p = 11
  falling by 0.9 / 19 per percentile to 0.05 at p = 30, and 0 beyond;
- local concentration: the population-weighted average r' of A's most deprived LSOAs that together hold exactly
  10% of A's population (the LSOA that crosses the 10% line counts with the part of its population needed).

The national "rank of ..." columns of MHCLG's File 10 need every area of England and are not computed here.
Areas reached through a shared LSOA (an LSOA 2021 made by merging LSOA 2011s that lie in different wards) take
the LSOA's share given by the crosswalk: its population weight and its LSOA count are multiplied by that share;
its rank and score are its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from commons_kernel.exceptions import GeographyError
from commons_kernel.geography.codes import Level
from commons_kernel.geography.hierarchy import require_hierarchy
from commons_kernel.geography.levels import frame_level

SOURCE = (
    "English Indices of Deprivation 2019 Technical report (MHCLG, 2019), section 3.8 and Appendix N "
    "'Summary measures for higher-level geographies'; IoD2019 Research report, Appendix A"
)
NATIONAL_LSOAS = {2011: 32_844, 2021: 33_755}
INDEX_OF_VINTAGE = {
    2011: "IoD2019 (LSOA 2011; mid-2015 denominators)",
    2021: "IoD2025 (LSOA 2021; mid-2022 denominators)",
}
# Domain short names (the column prefixes of imd2019_lsoa11 and imd2025_lsoa21) → their denominator column.
DENOMINATORS = {
    "imd": "pop_total",
    "income": "pop_total",
    "employment": "pop_working_age",
    "education": "pop_total",
    "health": "pop_total",
    "crime": "pop_total",
    "housing": "pop_total",
    "living_environment": "pop_total",
    "idaci": "pop_0_15",
    "idaopi": "pop_60_plus",
    "children_young_people": "pop_total",
    "adult_skills": "pop_total",
    "geographical_barriers": "pop_total",
    "wider_barriers": "pop_total",
    "indoors": "pop_total",
    "outdoors": "pop_total",
}
MEASURES = {
    "average_score": "population-weighted mean of the LSOA scores",
    "average_rank": "population-weighted mean of the reversed LSOA ranks (N + 1 - rank: the most deprived LSOA "
    "counts N); higher is more deprived",
    "proportion_most_deprived_10pc": "share of the area's LSOAs in the most deprived 10% of LSOAs in England "
    "(rank ≤ N / 10)",
    "extent": "share of the population in the most deprived 30% of LSOAs in England, weighted 1 in the most "
    "deprived 10% and sliding from 0.95 (11th percentile) to 0.05 (30th), 0 beyond",
    "local_concentration": "population-weighted mean reversed rank of the area's most deprived LSOAs holding "
    "exactly 10% of its population; higher is more deprived",
}


def extent_weight(rank, national_lsoas: int) -> np.ndarray:
    """Appendix N's sliding weight of an LSOA of ``rank``: 1 to the 10th national percentile, 0.95 at the 11th,
    down by 0.9 / 19 a percentile to 0.05 at the 30th, 0 beyond."""
    percentile = np.ceil(np.asarray(rank, dtype=float) * 100 / national_lsoas)
    sliding = 0.95 - (percentile - 11) * 0.9 / 19
    return np.where(percentile <= 10, 1.0, np.where(percentile <= 30, sliding, 0.0))


def local_concentration(reversed_rank, weight) -> float:
    """Weighted mean of ``reversed_rank`` over the most deprived LSOAs holding exactly 10% of the total weight."""
    order = np.argsort(-np.asarray(reversed_rank, dtype=float), kind="stable")
    ranks, weights = np.asarray(reversed_rank, dtype=float)[order], np.asarray(weight, dtype=float)[order]
    target = weights.sum() * 0.1
    if target <= 0:
        return float("nan")
    before = np.concatenate([[0.0], np.cumsum(weights)[:-1]])
    taken = np.clip(target - before, 0.0, weights)
    return float((taken * ranks).sum() / target)


def deprivation_summary(
    frame: pd.DataFrame,
    to="lad",
    *,
    hierarchy=None,
    domains: Iterable[str] | None = None,
    measures: Iterable[str] | None = None,
    denominators: Mapping[str, str] | None = None,
    national_lsoas: int | None = None,
    area: str | None = None,
) -> pd.DataFrame:
    """MHCLG's summary measures of LSOA deprivation for the areas of ``to``; see the module docstring.

    ``frame``: one row per LSOA with ``<domain>_rank`` (and ``<domain>_score`` for average scores) and the
    denominators (``pop_total``, ``pop_working_age``, ``pop_0_15``, ``pop_60_plus``), as in ``imd2019_lsoa11`` and
    ``imd2025_lsoa21``. ``to``: a level ("lad", "ward", "lcr", "msoa21") converted through ``hierarchy``; a
    mapping or Series from LSOA code to area name (custom areas, no hierarchy needed); or a list of LSOA codes
    (one custom area). ``domains``: default every domain with a rank column. ``measures``: default all five;
    ``average_score`` is left out (and said so) for a domain without scores unless asked for. ``denominators``
    overrides the weight column per domain. ``national_lsoas``: N, from the vintage unless given.

    Columns: the area's code and name, ``n_lsoa`` (LSOAs that contributed, shares counted as parts), the summed
    denominators, and ``<domain>_<measure>``. ``result.attrs["method"]`` says how, ``["method_details"]`` the
    same as a dict (vintage, N, denominators, conversion, source).
    """
    if frame.empty:
        raise GeographyError("The frame has no rows; give one row per LSOA, e.g. ck.read('imd2025_lsoa21').")
    custom = not isinstance(to, (str, Level))
    if custom:
        code_column, level = _lsoa_column(frame, area)
        pairs, method, target_code, target_name, names = _custom_pairs(to, frame[code_column])
    else:
        hierarchy = require_hierarchy(hierarchy)
        code_column, level = frame_level(frame, area, hierarchy)
        if level.kind != "lsoa":
            raise GeographyError(
                f"Summary measures are made from LSOAs; the frame's areas are {level.label}. "
                f"Read an LSOA table such as imd2025_lsoa21."
            )
        target = hierarchy.resolve(to)
        walk = hierarchy.crosswalk(level, target, codes=frame[code_column].astype(str).unique())
        pairs, method, target_code, target_name = walk.pairs, walk.method, target.code_column, target.name_column
        names = hierarchy.names(target)
    given = national_lsoas or (None if level.year is None else NATIONAL_LSOAS.get(level.year))
    if not given:
        raise GeographyError(f"Cannot tell the number of LSOAs in England for {level.label}; give national_lsoas=.")
    national = int(given)
    chosen = _domains(frame, domains)
    wanted = _measures(measures)
    weights_of = {**DENOMINATORS, **(denominators or {})}

    codes = frame[code_column].astype(str)
    if codes.duplicated().any():
        raise GeographyError(
            f"LSOA {codes[codes.duplicated()].iloc[0]} appears twice in column {code_column!r}; give one row per LSOA."
        )
    rows = pd.DataFrame({"source_code": codes.to_numpy(), "row": np.arange(len(frame))}).merge(
        pairs[["source_code", "target_code", "allocation"]], on="source_code", how="inner"
    )
    unknown = sorted(set(codes) - set(pairs["source_code"].astype(str)))
    if unknown and not custom:
        raise GeographyError(
            f"{len(unknown)} LSOA code(s) are not in the lookups (e.g. {unknown[0]}); keep the "
            f"LSOAs the hierarchy knows first."
        )
    data = frame.iloc[rows["row"].to_numpy()].reset_index(drop=True)
    share = rows["allocation"].to_numpy(dtype=float)
    groups = rows.groupby("target_code", sort=True).indices

    columns: dict[str, dict] = {}
    skipped: list[str] = []
    used_denominators: dict[str, str] = {}
    for domain in chosen:
        weight_column = weights_of.get(domain, "pop_total")
        _require(frame, [f"{domain}_rank", weight_column], domain)
        used_denominators[domain] = weight_column
        rank = _numbers(data, f"{domain}_rank")
        if np.nanmin(rank) < 1 or np.nanmax(rank) > national:
            raise GeographyError(
                f"{domain}_rank runs from {np.nanmin(rank):g} to {np.nanmax(rank):g}, outside 1 to "
                f"{national:,} (LSOAs in England for {level.label}); check the vintage or give "
                f"national_lsoas=."
            )
        weight = _numbers(data, weight_column) * share
        score = _numbers(data, f"{domain}_score") if f"{domain}_score" in data.columns else None
        reversed_rank = national + 1 - rank
        for measure in wanted:
            if measure == "average_score" and score is None:
                if measures is not None:
                    _require(frame, [f"{domain}_score"], domain)
                skipped.append(f"{domain}_average_score (no {domain}_score column)")
                continue
            values = {}
            for code, index in groups.items():
                w, r, rr = weight[index], rank[index], reversed_rank[index]
                total = w.sum()
                if measure == "average_score" and score is not None:
                    values[code] = (w * score[index]).sum() / total if total > 0 else np.nan
                elif measure == "average_rank":
                    values[code] = (w * rr).sum() / total if total > 0 else np.nan
                elif measure == "proportion_most_deprived_10pc":
                    values[code] = (share[index] * (r * 10 <= national)).sum() / share[index].sum()
                elif measure == "extent":
                    values[code] = (w * extent_weight(r, national)).sum() / total if total > 0 else np.nan
                else:
                    values[code] = local_concentration(rr, w)
            columns[f"{domain}_{measure}"] = values

    result = pd.DataFrame(index=pd.Index(sorted(groups), name=target_code))
    result.insert(0, target_name, result.index.map(lambda code: names.get(code, code)))
    result["n_lsoa"] = pd.Series({code: share[index].sum() for code, index in groups.items()})
    whole = bool(np.all(share == 1.0))  # no LSOA shared between areas: the summed denominators are whole people
    for weight_column in dict.fromkeys(used_denominators.values()):
        summed = _numbers(data, weight_column) * share
        result[weight_column] = pd.Series({code: summed[index].sum() for code, index in groups.items()})
        if whole:
            result[weight_column] = result[weight_column].round().astype("int64")
    for name, values in columns.items():
        result[name] = pd.Series(values)
    result = result.reset_index()
    _describe(result, level, national, used_denominators, wanted, skipped, method, unknown if custom else [])
    # The data's licence and attribution travel with the summary (ck.read puts them on the frame).
    result.attrs.update(
        {key: frame.attrs[key] for key in ("name", "version", "licence", "attribution") if key in frame.attrs}
    )
    if "attribution" in frame.attrs:
        result.attrs["method"] += f"\nData: {frame.attrs['attribution']} ({frame.attrs.get('licence', '')})"
    return result


def _describe(result, level, national, denominators, wanted, skipped, method, outside) -> None:
    vintage = INDEX_OF_VINTAGE.get(level.year, level.label)
    lines = [
        f"MHCLG summary measures from {level.label} areas, {vintage}; N = {national:,} LSOAs in England.",
        f"Areas: {method}.",
        "Weights (population denominators): "
        + ", ".join(f"{domain} by {column}" for domain, column in denominators.items())
        + ".",
    ]
    lines += [f"- <domain>_{name}: {MEASURES[name]}" for name in wanted]
    if skipped:
        lines.append("Not computed: " + "; ".join(skipped) + ".")
    if outside:
        lines.append(f"{len(outside)} LSOA(s) of the frame are in no area given and were left out.")
    lines.append(f"Source of the definitions: {SOURCE}.")
    result.attrs["method"] = "\n".join(lines)
    result.attrs["method_details"] = {
        "from": level.key,
        "vintage": level.label,
        "index": vintage,
        "national_lsoas": national,
        "denominators": dict(denominators),
        "measures": {name: MEASURES[name] for name in wanted},
        "not_computed": skipped,
        "conversion": method,
        "source": SOURCE,
    }


def _lsoa_column(frame: pd.DataFrame, area: str | None) -> tuple[str, Level]:
    column = area or next((c for c in ("lsoa21_code", "lsoa11_code") if c in frame.columns), None)
    if column is None or column not in frame.columns:
        raise GeographyError("The frame has no lsoa21_code or lsoa11_code column; name it with area='COLUMN'.")
    year = 2011 if "11" in column else 2021 if "21" in column else None
    return column, Level("lsoa", year)


def _custom_pairs(to, codes: pd.Series):
    if isinstance(to, (Mapping, pd.Series)):
        mapping = pd.Series(to, dtype="object")
        mapping.index = mapping.index.astype(str)
        label = "custom areas: each LSOA in the area given for it"
    else:
        listed = [str(code) for code in to]
        if not listed:
            raise GeographyError("to=[] names no LSOAs; give LSOA codes, or a level such as to='lad'.")
        mapping = pd.Series("custom", index=listed, dtype="object")
        label = f"one custom area of {len(listed)} LSOA(s)"
    missing = sorted(set(mapping.index) - set(codes.astype(str)))
    if missing:
        raise GeographyError(
            f"{len(missing)} LSOA(s) of the custom area are not in the frame (e.g. {missing[0]}); "
            f"check the codes and the vintage."
        )
    pairs = pd.DataFrame(
        {"source_code": mapping.index, "target_code": mapping.astype(str).to_numpy(), "allocation": 1.0}
    )
    names = pd.Series(dict(zip(pairs["target_code"], pairs["target_code"], strict=True)), dtype="object")
    return pairs, label, "area", "area_name", names


def _domains(frame: pd.DataFrame, domains) -> list[str]:
    if domains is None:
        found = [domain for domain in DENOMINATORS if f"{domain}_rank" in frame.columns]
        if not found:
            raise GeographyError(
                "The frame has no <domain>_rank column (imd_rank, income_rank, ...); read "
                "imd2025_lsoa21 or imd2019_lsoa11."
            )
        return found
    return [domains] if isinstance(domains, str) else list(domains)


def _measures(measures) -> list[str]:
    if measures is None:
        return list(MEASURES)
    chosen = [measures] if isinstance(measures, str) else list(measures)
    unknown = [m for m in chosen if m not in MEASURES]
    if unknown:
        raise GeographyError(f"Unknown measure(s) {unknown}; the measures are {', '.join(MEASURES)}.")
    return chosen


def _require(frame: pd.DataFrame, columns: list[str], domain: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise GeographyError(
            f"The frame has no column(s) {missing} for domain {domain!r}. imd2019_lsoa11 has the "
            f"IMD score only (no domain scores); imd2025_lsoa21 has every score and denominator."
        )


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values):
        raise GeographyError(f"Column {column!r} is not numeric ({values.dtype}); convert it first.")
    array = values.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(array).any():
        raise GeographyError(f"Column {column!r} has missing values; every LSOA needs a rank and a denominator.")
    return array
