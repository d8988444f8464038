"""Children and older people in income deprivation: every ward against its borough and the city region.

IDACI (income deprivation affecting children) and IDAOPI (income deprivation affecting older people) from the
English Indices of Deprivation 2025, File 7, for the 2021 neighbourhoods (LSOA 2021). A ward's figure is the
share of its children (or people aged 60 and over) who are income deprived: each neighbourhood's rate weighted by
MHCLG's mid-2022 count of children (or older people), which is what MHCLG's own average scores are. Neighbourhoods
reach the 2022 wards through the official LSOA lookups (best fit: each neighbourhood counts in the one ward that
holds it, or most of it). Beside them: Census 2021 households by dimensions of deprivation, and MHCLG's borough
summary measures (ck.deprivation_summary). Estimated numbers of people under 10 are hidden.
"""

from __future__ import annotations

import pandas as pd

from commons_kernel.stories import charts, summaries, words
from commons_kernel.stories.areas import merge_levels, place_and_parents, stack_levels
from commons_kernel.stories.artefacts import Artefact
from commons_kernel.stories.blocks import Figure, Table, Text
from commons_kernel.stories.periods import period

IDACI_MEANS = ("Income deprivation affecting children is the share of children under 16 who live in families on "
               "low incomes: out of work, or in work on low pay, and claiming means-tested benefits or tax credits.")
IDAOPI_MEANS = ("Income deprivation affecting older people is the share of people aged 60 and over who live on "
                "low incomes and claim Pension Credit or other means-tested support.")
GROUPS = {"children": ("children", "idaci", "children under 16"),
          "older": ("older", "idaopi", "people aged 60 and over")}
COUNTS = ["children", "children_deprived", "older", "older_deprived", "households", "households_deprived",
          "households_deprived_2"]


# ---- compute: once per refresh, through the data-api ------------------------------------------------------------

def compute(ck) -> dict:
    hierarchy = ck.hierarchy()
    wards = ck.read("lookup_ward22_lad22")
    iod = ck.read("imd2025_lsoa21")
    lsoa = pd.DataFrame({"lsoa21_code": iod["lsoa21_code"],
                         "children": iod["pop_0_15"], "children_deprived": iod["idaci_score"] * iod["pop_0_15"],
                         "older": iod["pop_60_plus"], "older_deprived": iod["idaopi_score"] * iod["pop_60_plus"]})
    households = ck.read("census2021_ts011_household_deprivation")
    pivot = households.pivot_table(index="lsoa21_code", columns="deprivation_dimensions", values="households",
                                   aggfunc="sum").fillna(0)
    census = pd.DataFrame({"households": pivot.sum(axis=1), "households_deprived": pivot.drop(columns=[0]).sum(axis=1),
                           "households_deprived_2": pivot[[c for c in pivot.columns if c >= 2]].sum(axis=1)})
    census = census.rename_axis("lsoa21_code").reset_index()
    areas = merge_levels(stack_levels(lsoa, hierarchy, wards, sums=COUNTS[:4]),
                         stack_levels(census, hierarchy, wards, sums=COUNTS[4:]))
    areas["idaci"] = areas["children_deprived"] / areas["children"]
    areas["idaopi"] = areas["older_deprived"] / areas["older"]
    areas["households_deprived_share"] = areas["households_deprived"] / areas["households"]
    areas["households_deprived_2_share"] = areas["households_deprived_2"] / areas["households"]
    areas[COUNTS] = areas[COUNTS].round()  # estimates of people (rate × denominator), shown as whole numbers
    ward_rows = areas["level"] == "ward"
    for rate in ("idaci", "idaopi"):  # 1 = the highest share of the city region's 125 wards
        areas.loc[ward_rows, f"{rate}_ward_rank"] = areas.loc[ward_rows, rate].rank(ascending=False, method="min")
    derived = {"idaci": "children_deprived", "idaopi": "older_deprived", "idaci_ward_rank": "children_deprived",
               "idaopi_ward_rank": "older_deprived",
               "households_deprived_share": "households_deprived",
               "households_deprived_2_share": "households_deprived_2"}

    outlines = ck.read("boundaries_ward22")
    return {
        "areas": Artefact(areas, counts=COUNTS, derived=derived),
        "summaries": Artefact(summaries.compute(ck, iod, ["idaci", "idaopi"])),
        "ward_outlines": Artefact(outline=charts.outline(outlines, "ward22_code", "ward22_name")),
    }


# ---- sections: one ward, plain English -------------------------------------------------------------------------

def _versus(row, borough, region, column):
    return words.versus(row[column], [(borough["name"], borough[column]), ("the city region", region[column])],
                        words.percent, 0.005)


def headline(data, ward):
    areas = data["areas"]
    row, borough, region = place_and_parents(areas, ward)
    wards_all = int((areas["level"] == "ward").sum())
    lines = [f"# Children and older people on low incomes: {row['name']}, {borough['name']}", "",
             IDACI_MEANS, IDAOPI_MEANS, "",
             f"Both come from the English Indices of Deprivation 2025 (MHCLG; {period(data, 'imd2025_lsoa21')}) and "
             f"use the 2022 ward boundaries."]
    for key, (prefix, rate, who) in GROUPS.items():
        people = words.count(row[f"{prefix}_deprived"])
        total = words.count(row[prefix])
        rank = row[f"{rate}_ward_rank"]
        position = ("not ranked (too few people to show)" if words.missing(rank) else
                    f"number {int(rank)} of the city region's {wards_all} wards, from the highest share")
        lines.append(f"- About **{people} of {total}** {who} (**{words.percent(row[rate])}**) are income deprived: "
                     f"{_versus(row, borough, region, rate)}. {row['name']} is {position}.")
    return [Text("\n".join(lines))]


def maps(data, ward):
    areas = data["areas"]
    row, borough, _ = place_and_parents(areas, ward)
    siblings = areas[(areas["level"] == "ward") & (areas["parent_code"] == row["parent_code"])]
    geojson = charts.subset(data["ward_outlines"], siblings["code"])
    blocks = [Text(f"## Ward by ward in {borough['name']}\n\nDarker wards have a higher share on low incomes. "
                   f"{row['name']} is outlined in black.")]
    for prefix, rate, who in GROUPS.values():
        figure = charts.choropleth(geojson, siblings["code"], siblings[rate] * 100, siblings["name"],
                                   f"Share of {who} in income deprivation, 2025: wards of {borough['name']}",
                                   "% income deprived", highlight=ward, hover_format=".0f")
        ranked = siblings.sort_values(rate, ascending=False, na_position="last")
        alt = (f"Map of the {len(siblings)} wards of {borough['name']} shaded by the share of {who} in income "
               f"deprivation. Highest: {ranked.iloc[0]['name']} ({words.percent(ranked.iloc[0][rate])}); lowest: "
               f"{ranked.iloc[-1]['name']} ({words.percent(ranked.iloc[-1][rate])}). {row['name']}: "
               f"{words.percent(row[rate])}.")
        blocks.append(Figure(figure, alt))
    return blocks


def compared(data, ward):
    areas = data["areas"]
    row, borough, region = place_and_parents(areas, ward)
    places = [row, borough, region]
    labels = ["Children on low incomes (2025)", "People 60+ on low incomes (2025)",
              "Households deprived in 1 or more ways (Census 2021)", "Households deprived in 2 or more ways (2021)"]
    columns = ["idaci", "idaopi", "households_deprived_share", "households_deprived_2_share"]
    figure = charts.bars(labels, {p["name"]: [p[c] for c in columns] for p in places},
                         f"{row['name']} against {borough['name']} and the city region", "share", percent=True,
                         category_title="Measure")
    alt = "Bar chart. " + "; ".join(
        f"{p['name']}: {words.percent(p['idaci'])} of children and {words.percent(p['idaopi'])} of people aged 60 and "
        f"over on low incomes, {words.percent(p['households_deprived_share'])} of households deprived in at least one "
        f"way" for p in places) + "."
    text = Text("## Beside the Census\n\n"
                f"The Census 2021 ({period(data, 'census2021_ts011_household_deprivation')}) counted households deprived in up to four ways: no one in work (or long-term sick), "
                "no one with good qualifications, someone in poor health or disabled, and a home that is overcrowded "
                "or has no central heating.\n\n"
                f"- Households deprived in at least one way: **{words.percent(row['households_deprived_share'])}** "
                f"({_versus(row, borough, region, 'households_deprived_share')}).\n"
                f"- In two or more ways: **{words.percent(row['households_deprived_2_share'])}** "
                f"({_versus(row, borough, region, 'households_deprived_2_share')}).")
    return [text, Figure(figure, alt)]


def borough_summaries(data, ward):
    row, borough, _ = place_and_parents(data["areas"], ward)
    table = data["summaries"]
    return [Text("## The boroughs as MHCLG sums them up"),
            *summaries.section(table, "idaci", "Income deprivation affecting children", borough["code"]),
            *summaries.section(table, "idaopi", "Income deprivation affecting older people", borough["code"])[1:]]


def ward_table(data, ward):
    areas = data["areas"]
    row, borough, _ = place_and_parents(areas, ward)
    siblings = areas[(areas["level"] == "ward") & (areas["parent_code"] == row["parent_code"])]
    siblings = siblings.sort_values("idaci", ascending=False, na_position="last")
    table = pd.DataFrame({"Ward": siblings["name"],
                          "Children on low incomes": [words.percent(v) for v in siblings["idaci"]],
                          "People 60+ on low incomes": [words.percent(v) for v in siblings["idaopi"]],
                          "Households deprived in 1+ ways": [words.percent(v)
                                                             for v in siblings["households_deprived_share"]]})
    return [Table(table.reset_index(drop=True), f"Wards of {borough['name']}, highest share of children on low "
                                                f"incomes first")]


SECTIONS = [headline, maps, compared, borough_summaries, ward_table]


def thumbnail(data):
    areas = data["areas"]
    wards = areas[areas["level"] == "ward"]
    return charts.thumbnail_map(data["ward_outlines"], dict(zip(wards["code"], wards["idaci"])))
