"""MHCLG's borough summary measures on a story page: one table per index, and what each measure means.

The numbers come from ``ck.deprivation_summary`` (commons_kernel/geography/deprivation_summary.py): the six
boroughs and the city region, from the IoD2025 neighbourhood (LSOA 2021) data weighted by MHCLG's own mid-2022
population denominators. They summarise published rates and ranks, not counts of people, so the disclosure rule
has nothing to blank in them.
"""

from __future__ import annotations

import pandas as pd

from commons_kernel.stories import words
from commons_kernel.stories.areas import LCR_CODE
from commons_kernel.stories.blocks import Table, Text

MEASURES = ("average_score", "average_rank", "proportion_most_deprived_10pc", "extent", "local_concentration")
HEADINGS = {
    "average_score": "Average score",
    "average_rank": "Average rank",
    "proportion_most_deprived_10pc": "Neighbourhoods in England's most deprived 10%",
    "extent": "Extent",
    "local_concentration": "Local concentration",
}
RATES = {"income", "employment", "idaci", "idaopi"}


def compute(ck, frame: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """Boroughs and the city region, one row each: ``code, name, level`` and ``<domain>_<measure>``."""
    parts = []
    for to, level in (("lad22", "borough"), ("cauth22", "region")):
        result = ck.deprivation_summary(frame, to=to, domains=domains, measures=list(MEASURES))
        result = result.rename(columns={f"{to}_code": "code", f"{to}_name": "name"})
        keep = ["code", "name", *[f"{d}_{m}" for d in domains for m in MEASURES]]
        parts.append(result[keep].assign(level=level))
    return pd.concat(parts, ignore_index=True)


def meanings(label: str, rate: bool) -> Text:
    average = (
        "the share of people in this group who are income deprived, across all the borough's neighbourhoods"
        if rate
        else "the neighbourhoods' scores averaged, each counted by how many people "
        "live there; a higher score is more deprived"
    )
    return Text(
        f"### {label}: the borough summaries\n\n"
        "The government (MHCLG) sums up each borough in five ways, because no single number says everything:\n\n"
        f"- **Average score**: {average}.\n"
        "- **Average rank**: where the borough's neighbourhoods sit, on average, in England's ranking, counted so "
        "that the most deprived of England's 33,755 neighbourhoods scores 33,755 and the least deprived 1. Higher "
        "means more deprived.\n"
        "- **Neighbourhoods in England's most deprived 10%**: the share of the borough's neighbourhoods in the most "
        "deprived tenth of England.\n"
        "- **Extent**: the share of the borough's people living in the most deprived 30% of neighbourhoods in "
        "England; people in the most deprived tenth count fully, others less the nearer they are to the 30% line.\n"
        "- **Local concentration**: how deprived the borough's worst-off places are: the average rank (counted as "
        "above) of its most deprived neighbourhoods that together hold a tenth of its people.\n\n"
        "Worked out the way MHCLG's technical report sets out (its Appendix N), from the 2025 neighbourhood figures "
        "and MHCLG's mid-2022 population estimates. MHCLG also ranks all of England's boroughs on each measure; "
        "those national ranks need every borough in England, so they are not shown here."
    )


def table(summaries: pd.DataFrame, domain: str, label: str, first: str | None = None) -> Table:
    """The six boroughs and the city region on ``domain``; ``first`` (a borough code) goes at the top."""
    rows = summaries.copy()
    rows["order"] = (rows["code"] != first).astype(int) + (rows["code"] == LCR_CODE).astype(int) * 2
    rows = rows.sort_values(["order", "name"])
    rate = domain in RATES
    out = pd.DataFrame({"Place": rows["name"]})
    out[HEADINGS["average_score"]] = [
        words.percent(v, 1) if rate else words.number(v) for v in rows[f"{domain}_average_score"]
    ]
    out[HEADINGS["average_rank"]] = [words.number(v, 0) for v in rows[f"{domain}_average_rank"]]
    out[HEADINGS["proportion_most_deprived_10pc"]] = [
        words.percent(v) for v in rows[f"{domain}_proportion_most_deprived_10pc"]
    ]
    out[HEADINGS["extent"]] = [words.percent(v) for v in rows[f"{domain}_extent"]]
    out[HEADINGS["local_concentration"]] = [words.number(v, 0) for v in rows[f"{domain}_local_concentration"]]
    return Table(
        out.reset_index(drop=True), f"{label}, 2025: MHCLG's summary measures for the six boroughs and the city region"
    )


def section(summaries: pd.DataFrame, domain: str, label: str, first: str | None = None) -> list:
    return [meanings(label, domain in RATES), table(summaries, domain, label, first)]
