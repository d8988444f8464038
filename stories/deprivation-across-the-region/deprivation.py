"""Deprivation across the City Region: neighbourhood (LSOA) maps for a borough or the whole region, 2019 → 2025.

IMD 2025 is published for the 2021 neighbourhoods (LSOA 2021); the maps use the 2011 outlines, so the 2025 figures
are brought to LSOA 2011 through the official lookup (commons_kernel.geography; 967 of 989 areas are unchanged, the
others take the population-weighted average of their parts). Borough averages use MHCLG's own population
denominators (mid-2015 for 2019, mid-2022 for 2025, from Files 6 and 7), as MHCLG's published figures do, and the
borough summary measures (average rank, extent, local concentration, ...) come from ck.deprivation_summary.
"""

from __future__ import annotations

import pandas as pd

from commons_kernel.stories import charts, summaries, words
from commons_kernel.stories.areas import LCR_CODE, merge_levels, stack_levels
from commons_kernel.stories.artefacts import Artefact
from commons_kernel.stories.blocks import Figure, Table, Text
from commons_kernel.stories.kit import require_place
from commons_kernel.stories.periods import period

DOMAINS = {"income": "Income", "employment": "Employment", "education": "Education and skills",
           "health": "Health and disability", "crime": "Crime", "housing": "Barriers to housing and services",
           "living_environment": "Living environment"}


def compute(ck) -> dict:
    from commons_kernel.geography import aggregate

    hierarchy = ck.hierarchy()
    imd19 = ck.read("imd2019_lsoa11")
    imd25 = ck.read("imd2025_lsoa21")
    residents = imd25.set_index("lsoa21_code")["pop_total"]  # MHCLG's mid-2022 denominator (File 7)
    wards = ck.read("lookup_ward22_lad22")

    on_2011 = aggregate(imd25[["lsoa21_code", "imd_score", "imd_decile"]], to="lsoa11", hierarchy=hierarchy,
                        means={"imd_score": residents, "imd_decile": residents})
    lsoa = imd19[["lsoa11_code", "lsoa11_name", "lad19_code", "imd_score", "imd_decile"]].rename(
        columns={"lad19_code": "lad_code", "imd_score": "imd19_score", "imd_decile": "imd19_decile"})
    lsoa = lsoa.merge(on_2011[["lsoa11_code", "imd_score", "imd_decile"]].rename(
        columns={"imd_score": "imd25_score", "imd_decile": "imd25_decile"}), on="lsoa11_code", how="left")
    lsoa["imd25_decile"] = lsoa["imd25_decile"].round()
    lsoa["decile_change"] = lsoa["imd25_decile"] - lsoa["imd19_decile"]

    shares19 = {"most_deprived_2019": "imd_decile == 1",
                **{f"{d}_2019": f"{d}_decile == 1" for d in DOMAINS}}
    shares25 = {"most_deprived_2025": "imd_decile == 1",
                **{f"{d}_2025": f"{d}_decile == 1" for d in DOMAINS}}
    levels = ("lad22", "cauth22")
    part19 = stack_levels(imd19.rename(columns={"imd_score": "score_2019"}), hierarchy, wards, levels,
                          shares=shares19, means={"score_2019": "pop_total"})
    part25 = stack_levels(imd25.rename(columns={"imd_score": "score_2025"}), hierarchy, wards, levels,
                          shares=shares25, means={"score_2025": "pop_total"})
    areas = merge_levels(part19, part25)
    counts = pd.DataFrame({"lsoas_2019": imd19.groupby("lad19_code").size(),
                           "lsoas_2025": imd25.groupby("lad22_code").size()})
    areas["lsoas_2019"] = areas["code"].map(counts["lsoas_2019"]).fillna(len(imd19)).astype(int)
    areas["lsoas_2025"] = areas["code"].map(counts["lsoas_2025"]).fillna(len(imd25)).astype(int)

    boundaries = ck.read("boundaries_lsoa11")
    return {
        "lsoa": Artefact(lsoa),
        "areas": Artefact(areas),
        "summaries": Artefact(summaries.compute(ck, imd25, ["imd"])),
        "lsoa_outlines": Artefact(outline=charts.outline(boundaries, "lsoa11_code", "lsoa11_name",
                                                         tolerance=0.0008, digits=4)),
    }


def _place(data, area):
    areas = data["areas"]
    row = require_place(areas, "code", area, "borough or region")
    region = areas[areas["code"] == LCR_CODE].iloc[0]
    lsoa = data["lsoa"] if area == LCR_CODE else data["lsoa"][data["lsoa"]["lad_code"] == area]
    return row, region, lsoa


def headline(data, area):
    row, region, lsoa = _place(data, area)
    whole = area == LCR_CODE
    share25 = words.percent(row["most_deprived_2025"])
    share19 = words.percent(row["most_deprived_2019"])
    count25 = int(round(row["most_deprived_2025"] * row["lsoas_2025"]))
    lines = [f"# Deprivation in {row['name']}", "",
             "England is divided into about 33,000 small neighbourhoods of around 1,500 people. The Index of Multiple "
             "Deprivation (IMD) ranks them all, from the most deprived to the least, using income, jobs, education, "
             "health, crime, housing and the local environment.", "",
             f"- In 2025, **{count25:,} of {row['lsoas_2025']:,}** neighbourhoods in {row['name']} (**{share25}**) "
             f"were among the most deprived 10% in England. In 2019 it was {share19}.",
             f"- When: IMD 2025, {period(data, 'imd2025_lsoa21')}; IMD 2019, {period(data, 'imd2019_lsoa11')}."]
    if not whole:
        vs = words.versus(row["most_deprived_2025"], [("the city region", region["most_deprived_2025"])],
                          words.percent, 0.005)
        lines.append(f"- The share in 2025 is {vs}.")
        vs_score = words.versus(row["score_2025"], [("the city region", region["score_2025"])], words.number)
        lines.append(f"- The average deprivation score, weighted by population, is {words.number(row['score_2025'])}:"
                     f" {vs_score}. A higher score means more deprived.")
    else:
        boroughs = data["areas"][data["areas"]["level"] == "borough"].sort_values("most_deprived_2025",
                                                                                 ascending=False)
        top = boroughs.iloc[0]
        lines.append(f"- The borough with the largest share is {top['name']} ({words.percent(top['most_deprived_2025'])}).")
    return [Text("\n".join(lines))]


def maps(data, area):
    row, _, lsoa = _place(data, area)
    geojson = charts.subset(data["lsoa_outlines"], lsoa["lsoa11_code"])
    names = lsoa["lsoa11_name"]
    decile_map = charts.choropleth(geojson, lsoa["lsoa11_code"], lsoa["imd25_decile"], names,
                                   f"Deprivation decile 2025: neighbourhoods of {row['name']}",
                                   "decile (1 = most deprived)", colorscale="cividis", zmin=1, zmax=10,
                                   hover_format=".0f")
    most = int((lsoa["imd25_decile"] == 1).sum())
    alt = (f"Map of the {len(lsoa):,} neighbourhoods of {row['name']}, shaded by their 2025 deprivation decile, from 1 "
           f"(dark, the most deprived 10% in England) to 10 (light, the least deprived). {most:,} are in decile 1.")
    change = lsoa["decile_change"]
    change_map = charts.choropleth(geojson, lsoa["lsoa11_code"], change, names,
                                   f"Change in decile, 2019 to 2025: {row['name']}",
                                   "change in decile", colorscale=charts.DIVERGING, zmin=-3, zmax=3,
                                   hover_format="+.0f")
    better, worse = int((change > 0).sum()), int((change < 0).sum())
    change_alt = (f"Map of the change in each neighbourhood's decile from 2019 to 2025. {better:,} neighbourhoods "
                  f"moved to a less deprived decile (purple), {worse:,} to a more deprived one (orange) and "
                  f"{int((change == 0).sum()):,} stayed in the same decile (white).")
    text = Text("## Maps\n\nEach shape is a neighbourhood (2011 boundaries). Deciles split England's neighbourhoods "
                "into ten equal groups: decile 1 is the most deprived tenth. A move between deciles is a change "
                "relative to the rest of England.")
    return [text, Figure(decile_map, alt), Figure(change_map, change_alt)]


def boroughs(data, area):
    areas = data["areas"]
    table = areas[areas["level"].isin(["borough", "region"])].copy()
    figure = charts.bars(table["name"], {"2019": table["most_deprived_2019"], "2025": table["most_deprived_2025"]},
                         "Share of neighbourhoods among the most deprived 10% in England", "share of neighbourhoods",
                         percent=True, category_title="Place")
    alt = "Bar chart by borough. " + "; ".join(
        f"{r['name']}: {words.percent(r['most_deprived_2019'])} in 2019 and {words.percent(r['most_deprived_2025'])} "
        f"in 2025" for _, r in table.iterrows()) + "."
    return [Text("## The six boroughs compared"), Figure(figure, alt)]


def domains(data, area):
    row, region, _ = _place(data, area)
    rows = []
    for key, label in DOMAINS.items():
        entry = {"Part of deprivation": label, f"{row['name']} 2019": words.percent(row[f"{key}_2019"]),
                 f"{row['name']} 2025": words.percent(row[f"{key}_2025"])}
        if area != LCR_CODE:
            entry["City region 2025"] = words.percent(region[f"{key}_2025"])
        rows.append(entry)
    return [Text("## The seven parts of deprivation"),
            Table(pd.DataFrame(rows), f"Share of neighbourhoods in {row['name']} among the most deprived 10% in "
                                      f"England for each part of deprivation")]


def borough_summaries(data, area):
    first = None if area == LCR_CODE else area
    return [Text("## The boroughs as MHCLG sums them up"),
            *summaries.section(data["summaries"], "imd", "Index of Multiple Deprivation", first)]


SECTIONS = [headline, maps, boroughs, borough_summaries, domains]


def thumbnail(data):
    lsoa = data["lsoa"]
    return charts.thumbnail_map(data["lsoa_outlines"], dict(zip(lsoa["lsoa11_code"], lsoa["imd25_decile"])),
                                cmap="cividis")
