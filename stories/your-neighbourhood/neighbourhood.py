"""Your neighbourhood: one ward against its borough and the city region.

compute(ck) reads open data through the data-api and returns the artefacts (one table of wards, boroughs and the
region; crime by type; ward outlines). Each section(data, ward) returns page blocks in plain English.
"""

from __future__ import annotations

import pandas as pd

from commons_kernel.stories import charts, words
from commons_kernel.stories.areas import merge_levels, place_and_parents, stack_levels
from commons_kernel.stories.artefacts import Artefact
from commons_kernel.stories.blocks import Figure, Text
from commons_kernel.stories.periods import period

DOMAINS = {"income": "Income", "employment": "Employment", "education": "Education and skills",
           "health": "Health and disability", "crime": "Crime", "housing": "Barriers to housing and services",
           "living_environment": "Living environment"}
CENSUS = {  # label: (dataset, count column)
    "People born outside the UK": ("census2021_ts004_country_of_birth", "born_outside_the_uk"),
    "People disabled under the Equality Act": ("census2021_ts038_disability", "disabled_under_the_equality_act"),
    "Homes without central heating": ("census2021_ts046_central_heating", "does_not_have_central_heating"),
}
# Halton is policed by Cheshire Constabulary: the Merseyside Police records do not cover it. Its LSOAs are left out
# of the crime figures, so the region's crime figures are for the five Merseyside boroughs.
NOT_POLICED_BY_MERSEYSIDE = {"E06000006"}
AGE_BANDS = {"children (0 to 15)": (0, 15), "working age (16 to 64)": (16, 64), "65 and over": (65, 200)}


# ---- compute: once per refresh, through the data-api ------------------------------------------------------------

def _population_2019(ck) -> pd.DataFrame:
    people = ck.read("population_mid2019_lsoa11", columns=["lsoa11_code", "age", "population"])
    out = people.groupby("lsoa11_code")["population"].sum().rename("people").to_frame()
    for label, (low, high) in AGE_BANDS.items():
        band = people[(people["age"] >= low) & (people["age"] <= high)]
        out[f"people_{low}"] = band.groupby("lsoa11_code")["population"].sum()
    return out.fillna(0).reset_index()


def _census_lsoa21(ck) -> tuple[pd.DataFrame, pd.Series]:
    frames = []
    for label, (dataset, column) in CENSUS.items():
        table = ck.read(dataset)
        table = table[table["area_level"] == "lsoa21"]
        frames.append(table.set_index("area_code")[[column, "total"]].rename(
            columns={column: f"{column}", "total": f"{column}_total"}))
    households = ck.read("census2021_ts011_household_deprivation")
    pivot = households.pivot_table(index="lsoa21_code", columns="deprivation_dimensions", values="households",
                                   aggfunc="sum").fillna(0)
    frames.append(pd.DataFrame({"households_deprived": pivot.drop(columns=[0]).sum(axis=1),
                                "households_deprived_total": pivot.sum(axis=1)}))
    census = pd.concat(frames, axis=1).rename_axis("lsoa21_code").reset_index()
    residents = ck.read("census2021_ts001_residence_type")
    residents = residents[residents["area_level"] == "lsoa21"].set_index("area_code")["total"]
    return census, residents


def compute(ck) -> dict:
    hierarchy = ck.hierarchy()
    wards = ck.read("lookup_ward22_lad22")
    imd19 = ck.read("imd2019_lsoa11")
    imd25 = ck.read("imd2025_lsoa21")
    census, _ = _census_lsoa21(ck)
    crime = ck.read("police_crime_2021_12", columns=["lsoa11_code", "crime_type"])

    lsoa11 = imd19.merge(_population_2019(ck), on="lsoa11_code", how="left")
    crimes = crime.groupby("lsoa11_code").size().rename("crimes")
    lsoa11["crimes"] = lsoa11["lsoa11_code"].map(crimes).fillna(0).astype(int)
    policed = ~lsoa11["lad19_code"].isin(NOT_POLICED_BY_MERSEYSIDE)
    lsoa11["crime_residents"] = lsoa11["people"].where(policed, 0)
    lsoa11["crimes"] = lsoa11["crimes"].where(policed, 0)
    counts19 = ["people", *[f"people_{low}" for low, _ in AGE_BANDS.values()], "crimes", "crime_residents"]
    shares19 = {"imd19_most_deprived": "imd_decile == 1",
                **{f"{d}19_most_deprived": f"{d}_decile == 1" for d in DOMAINS}}
    part19 = stack_levels(lsoa11.rename(columns={"imd_score": "imd19_score"}), hierarchy, wards,
                          sums=counts19, means={"imd19_score": "pop_total"}, shares=shares19)
    shares25 = {"imd25_most_deprived": "imd_decile == 1",
                **{f"{d}25_most_deprived": f"{d}_decile == 1" for d in DOMAINS}}
    part25 = stack_levels(imd25.rename(columns={"imd_score": "imd25_score"}), hierarchy, wards,
                          means={"imd25_score": "pop_total"}, shares=shares25)  # MHCLG's mid-2022 weights
    census_counts = [c for c in census.columns if c != "lsoa21_code"]
    part_census = stack_levels(census, hierarchy, wards, sums=census_counts)
    areas = merge_levels(part19, part25, part_census)
    areas["crime_rate"] = areas["crimes"] / areas["crime_residents"].where(areas["crime_residents"] > 0) * 1000
    derived = {"crime_rate": "crimes"}
    for column in [c for c in census_counts if not c.endswith("_total")]:
        areas[f"{column}_share"] = areas[column] / areas[f"{column}_total"]
        derived[f"{column}_share"] = column
    for low, _ in AGE_BANDS.values():
        areas[f"people_{low}_share"] = areas[f"people_{low}"] / areas["people"]
        derived[f"people_{low}_share"] = f"people_{low}"

    by_type = crime.merge(lsoa11.loc[policed, ["lsoa11_code"]], on="lsoa11_code").assign(crimes=1)
    types = stack_levels(by_type, hierarchy, wards, sums=["crimes"], by="crime_type")
    types = types[["code", "crime_type", "crimes"]]

    outlines = ck.read("boundaries_ward22")
    return {
        "areas": Artefact(areas, counts=counts19 + census_counts, derived=derived),
        "crime_types": Artefact(types, counts=["crimes"]),
        "ward_outlines": Artefact(outline=charts.outline(outlines, "ward22_code", "ward22_name")),
    }


# ---- sections: one place, plain English ------------------------------------------------------------------------

def _compare(areas, ward, column, formatter=words.number, tolerance=0.0):
    row, borough, region = place_and_parents(areas, ward)
    others = ([(borough["name"], borough[column])] if borough is not None else []) + [("the city region",
                                                                                        region[column])]
    return formatter(row[column]), words.versus(row[column], others, formatter, tolerance)


def headline(data, ward):
    areas = data["areas"]
    row, borough, region = place_and_parents(areas, ward)
    siblings = areas[(areas["level"] == "ward") & (areas["parent_code"] == row["parent_code"])]
    people, compared = _compare(areas, ward, "people", words.count)
    return [Text(f"# {row['name']}, {borough['name']}\n\n"
                 f"{row['name']} is one of {len(siblings)} wards in {borough['name']}. About {people} people lived "
                 f"here in {period(data, 'population_mid2019_lsoa11')}. On this page we compare each number with {borough['name']} as a whole and with "
                 f"the Liverpool City Region (Halton, Knowsley, Liverpool, Sefton, St Helens and Wirral).")]


def deprivation(data, ward):
    areas = data["areas"]
    row, borough, region = place_and_parents(areas, ward)
    score25, vs25 = _compare(areas, ward, "imd25_score")
    score19, vs19 = _compare(areas, ward, "imd19_score")
    share, vs_share = _compare(areas, ward, "imd25_most_deprived", words.percent, 0.005)
    siblings = areas[(areas["level"] == "ward") & (areas["parent_code"] == row["parent_code"])]
    position = int((siblings["imd25_score"] > row["imd25_score"]).sum()) + 1
    text = Text(
        "## How deprived is the area?\n\n"
        "The Index of Multiple Deprivation (IMD) looks at income, jobs, education, health, crime, housing and the "
        "local environment in every small area of England. A higher score means more deprived.\n\n"
        f"- In 2025 {row['name']} scored **{score25}**. That is {vs25}.\n"
        f"- In 2019 it scored {score19}. That was {vs19}.\n"
        f"- **{share}** of its small areas are among the most deprived 10% in England (2025). That is {vs_share}.\n"
        f"- It is number {position} of {len(siblings)} wards in {borough['name']}, counting from the most deprived.\n\n"
        f"When: IMD 2025, {period(data, 'imd2025_lsoa21')}; IMD 2019, {period(data, 'imd2019_lsoa11')}.")
    geojson = charts.subset(data["ward_outlines"], siblings["code"])
    figure = charts.choropleth(geojson, siblings["code"], siblings["imd25_score"], siblings["name"],
                               f"Deprivation score 2025: wards of {borough['name']}", "IMD score",
                               highlight=ward)
    alt = (f"Map of the {len(siblings)} wards of {borough['name']}, shaded by their 2025 deprivation score; darker "
           f"is more deprived. {row['name']}, outlined in black, scores {score25}, number {position} of "
           f"{len(siblings)} from the most deprived.")
    domain_rows = [(label, row[f"{d}25_most_deprived"], borough[f"{d}25_most_deprived"],
                    region[f"{d}25_most_deprived"]) for d, label in DOMAINS.items()]
    labels = [r[0] for r in domain_rows]
    bars = charts.bars(labels, {row["name"]: [r[1] for r in domain_rows], borough["name"]: [r[2] for r in domain_rows],
                                "City region": [r[3] for r in domain_rows]},
                       "Share of small areas among the most deprived 10% in England, 2025", "share of small areas",
                       percent=True, category_title="Part of deprivation")
    worst = max(domain_rows, key=lambda r: r[1])
    bars_alt = (f"Bar chart of the seven parts of deprivation in 2025. In {row['name']} the highest is "
                f"{worst[0].lower()}: {words.percent(worst[1])} of small areas are in the most deprived 10%, against "
                f"{words.percent(worst[2])} in {borough['name']} and {words.percent(worst[3])} in the city region.")
    return [text, Figure(figure, alt), Figure(bars, bars_alt)]


def population(data, ward):
    areas = data["areas"]
    row, borough, region = place_and_parents(areas, ward)
    lines = ["## Who lives here", ""]
    for label, (low, _) in AGE_BANDS.items():
        value, vs = _compare(areas, ward, f"people_{low}_share", words.percent, 0.005)
        lines.append(f"- {label.capitalize()}: **{value}** of people ({vs}).")
    when = period(data, "population_mid2019_lsoa11")
    lines.append(f"\nPeople counted in the population estimates for {when} (Office for National Statistics).")
    places = [row, borough, region]
    bars = charts.bars(list(AGE_BANDS), {p["name"]: [p[f"people_{low}_share"] for low, _ in AGE_BANDS.values()]
                                         for p in places}, f"Age of residents, {when}", "share of people",
                       percent=True, category_title="Age group")
    alt = "Bar chart of the share of people in each age group. " + "; ".join(
        f"{p['name']}: {words.percent(p['people_0_share'])} children and {words.percent(p['people_65_share'])} aged "
        f"65 and over" for p in places) + "."
    return [Text("\n".join(lines)), Figure(bars, alt)]


def census(data, ward):
    areas = data["areas"]
    row, _, _ = place_and_parents(areas, ward)
    lines = ["## Census 2021 highlights", ""]
    for label, (_, column) in CENSUS.items():
        value, vs = _compare(areas, ward, f"{column}_share", words.percent, 0.005)
        lines.append(f"- {label}: **{value}** ({vs}).")
    value, vs = _compare(areas, ward, "households_deprived_share", words.percent, 0.005)
    lines.append(f"- Households with at least one kind of hardship (jobs, education, health or housing): **{value}** "
                 f"({vs}).")
    lines.append(f"\nCensus figures are from {period(data, 'census2021_ts001_residence_type')}, for Census 2021 small "
                 f"areas added up to {row['name']}'s 2022 boundary.")
    return [Text("\n".join(lines))]


def crime(data, ward):
    areas, types = data["areas"], data["crime_types"]
    row, borough, region = place_and_parents(areas, ward)
    if row["parent_code"] in NOT_POLICED_BY_MERSEYSIDE:
        return [Text("## Recorded crime\n\n"
                     f"{borough['name']} is policed by Cheshire Constabulary. This story uses the Merseyside Police "
                     f"records, so it has no crime figures for {row['name']}.")]
    total = words.count(row["crimes"])
    rate, vs = _compare(areas, ward, "crime_rate", words.number)
    vs = vs.replace("the city region", "the five Merseyside boroughs")
    mine = types[types["code"] == ward].sort_values("crimes", ascending=False, na_position="last")
    top = [f"{t.crime_type.lower()} ({words.count(t.crimes)})" for t in mine.head(3).itertuples()]
    text = Text("## Recorded crime\n\n"
                f"In {period(data, 'police_crime_2021_12')} the police recorded **{total}** crimes and incidents of anti-social behaviour in "
                f"{row['name']}. That is **{rate}** for every 1,000 residents: {vs}.\n\n"
                f"The most common were {', '.join(top)}. Crime is recorded where it happened, so busy town centres "
                f"have high rates even though few people live there.")
    return [text]


SECTIONS = [headline, deprivation, population, census, crime]


def thumbnail(data):
    areas = data["areas"]
    wards = areas[areas["level"] == "ward"]
    return charts.thumbnail_map(data["ward_outlines"], dict(zip(wards["code"], wards["imd25_score"])))
