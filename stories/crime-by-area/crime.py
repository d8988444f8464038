"""Recorded crime by area: crime types and wards of a borough (or the region), counts and rates per 1,000 residents.

Street-level crime from the police (one month, December 2021) counted by the LSOA each record is mapped to, added
up to 2022 wards and boroughs; residents from the mid-2019 estimates. Counts under 10 are hidden.
"""

from __future__ import annotations

import pandas as pd

from commons_kernel.stories import charts, words
from commons_kernel.stories.areas import LCR_CODE, stack_levels
from commons_kernel.stories.artefacts import Artefact
from commons_kernel.stories.blocks import Figure, Table, Text
from commons_kernel.stories.kit import require_place
from commons_kernel.stories.periods import period

CRIME, RESIDENTS = "police_crime_2021_12", "population_mid2019_lsoa11"

# Halton is policed by Cheshire Constabulary, so the Merseyside Police records do not cover it; its LSOAs are left
# out, and the "region" figures are for the five Merseyside boroughs.
NOT_COVERED = {"E06000006": "Halton"}
REGION_WORDS = "the five Merseyside boroughs"


def compute(ck) -> dict:
    hierarchy = ck.hierarchy()
    wards = ck.read("lookup_ward22_lad22")
    crime = ck.read("police_crime_2021_12", columns=["lsoa11_code", "crime_type"])
    people = ck.read("population_mid2019_lsoa11", columns=["lsoa11_code", "population"])
    residents = people.groupby("lsoa11_code")["population"].sum().rename("residents").reset_index()
    boroughs = ck.read("lookup_lsoa11_ward22", columns=["lsoa11_code", "lad22_code"])
    covered = boroughs.loc[~boroughs["lad22_code"].isin(NOT_COVERED), "lsoa11_code"]
    residents = residents[residents["lsoa11_code"].isin(set(covered))]
    known = set(residents["lsoa11_code"])
    crime = crime[crime["lsoa11_code"].isin(known)].assign(crimes=1)

    totals = residents.merge(crime.groupby("lsoa11_code").size().rename("crimes").reset_index(), on="lsoa11_code",
                             how="left").fillna({"crimes": 0})
    totals["crimes"] = totals["crimes"].astype(int)
    places = stack_levels(totals, hierarchy, wards, sums=["crimes", "residents"])
    places["rate"] = places["crimes"] / places["residents"] * 1000

    by_type = stack_levels(crime, hierarchy, wards, sums=["crimes"], by="crime_type")
    by_type = by_type.merge(places[["code", "residents"]], on="code")
    by_type["rate"] = by_type["crimes"] / by_type["residents"] * 1000
    by_type = by_type[["code", "name", "level", "parent_code", "crime_type", "crimes", "residents", "rate"]]

    outlines = ck.read("boundaries_ward22")
    return {
        "places": Artefact(places, counts=["crimes", "residents"], derived={"rate": "crimes"}),
        "by_type": Artefact(by_type, counts=["crimes", "residents"], derived={"rate": "crimes"}),
        "ward_outlines": Artefact(outline=charts.outline(outlines, "ward22_code", "ward22_name")),
    }


def _place(data, area):
    places = data["places"]
    row = require_place(places, "code", area, "Merseyside borough or the region")
    region = places[places["code"] == LCR_CODE].iloc[0]
    if area == LCR_CODE:
        wards = places[places["level"] == "ward"]
    else:
        wards = places[(places["level"] == "ward") & (places["parent_code"] == area)]
    return row, region, wards


def headline(data, area):
    row, region, wards = _place(data, area)
    lines = [f"# Recorded crime in {row['name']}", "",
             f"Crimes and incidents of anti-social behaviour recorded by the police in {period(data, CRIME)}, where "
             f"they happened. Rates are per 1,000 residents (estimates for {period(data, RESIDENTS)}), so places of different sizes can "
             f"be compared. Busy town and city centres have high rates because many visitors, but few residents, are "
             f"there. Halton is policed by Cheshire Constabulary, so it is not in these Merseyside Police records; "
             f"'region' here means {REGION_WORDS}.", "",
             f"- **{words.count(row['crimes'])}** records in {row['name']}: **{words.number(row['rate'])}** per 1,000 "
             f"residents."]
    if area != LCR_CODE:
        lines.append(f"- That rate is {words.versus(row['rate'], [(REGION_WORDS, region['rate'])])}.")
    top = wards.sort_values("rate", ascending=False, na_position="last").iloc[0]
    lines.append(f"- The ward with the highest rate is {top['name']} ({words.number(top['rate'])} per 1,000).")
    return [Text("\n".join(lines))]


def types(data, area):
    row, region, _ = _place(data, area)
    by_type = data["by_type"]
    mine = by_type[by_type["code"] == area].set_index("crime_type")
    theirs = by_type[by_type["code"] == LCR_CODE].set_index("crime_type")
    order = mine["rate"].sort_values(ascending=False).index
    series = {row["name"]: mine.loc[order, "rate"]}
    if area != LCR_CODE:
        series["Merseyside boroughs"] = theirs.reindex(order)["rate"]
    month = period(data, CRIME)
    figure = charts.bars(order, series, f"Recorded crime by type per 1,000 residents, {month}", "per 1,000 residents",
                         category_title="Type of crime")
    first = order[0]
    alt = (f"Bar chart of {len(order)} types of crime. The most common in {row['name']} is "
           f"{first.lower()}: {words.number(mine.loc[first, 'rate'])} per 1,000 residents"
           + (f", against {words.number(theirs.loc[first, 'rate'])} across {REGION_WORDS}." if area != LCR_CODE
              else "."))
    table = pd.DataFrame({"Type of crime": order, "Records": [words.count(v) for v in mine.loc[order, "crimes"]],
                          "Per 1,000 residents": [words.number(v) for v in mine.loc[order, "rate"]]})
    return [Text("## By type of crime"), Figure(figure, alt),
            Table(table, f"Recorded crime by type in {row['name']}, {month}")]


def wards(data, area):
    row, region, wards_here = _place(data, area)
    geojson = charts.subset(data["ward_outlines"], wards_here["code"])
    figure = charts.choropleth(geojson, wards_here["code"], wards_here["rate"], wards_here["name"],
                               f"Recorded crime per 1,000 residents by ward: {row['name']}, {period(data, CRIME)}",
                               "per 1,000")
    top = wards_here.sort_values("rate", ascending=False, na_position="last")
    alt = (f"Map of the {len(wards_here)} wards of {row['name']} shaded by recorded crime per 1,000 residents; darker "
           f"is higher. Highest: {top.iloc[0]['name']} ({words.number(top.iloc[0]['rate'])}); lowest: "
           f"{top.iloc[-1]['name']} ({words.number(top.iloc[-1]['rate'])}).")
    table = pd.DataFrame({"Ward": top["name"], "Borough": top["parent_name"],
                          "Records": [words.count(v) for v in top["crimes"]],
                          "Per 1,000 residents": [words.number(v) for v in top["rate"]]})
    return [Text("## By ward"), Figure(figure, alt),
            Table(table, f"Recorded crime by ward in {row['name']}, {period(data, CRIME)}, highest rate first")]


SECTIONS = [headline, types, wards]


def thumbnail(data):
    places = data["places"]
    wards_all = places[places["level"] == "ward"]
    return charts.thumbnail_map(data["ward_outlines"], dict(zip(wards_all["code"], wards_all["rate"])))
