"""Population estimates and police.uk recorded crime."""

from __future__ import annotations

import geopandas

from commons_hub.ingest.registry import Built, builder
from commons_hub.ingest.seed import expect_codes, numbers

POPULATION = "population_mid2019_lsoa11_syoa_lcr.csv"
CRIME = "police_uk_street_crime_merseyside_2021-12_lcr.csv"


@builder("population_mid2019_lsoa11", files=[POPULATION])
def population(seed, inputs):
    raw = seed.csv(POPULATION, ["lsoa_code", "lsoa_name", "la_code", "la_name", "age", "gender", "n"])
    expect_codes(raw, "lsoa_code", 989, POPULATION, "LSOAs (2011)")
    out = raw.rename(
        columns={
            "lsoa_code": "lsoa11_code",
            "lsoa_name": "lsoa11_name",
            "la_code": "lad19_code",
            "la_name": "lad19_name",
            "gender": "sex",
            "n": "population",
        }
    )
    out = out[["lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "age", "sex", "population"]]
    numbers(out, ["age", "population"], "int64", POPULATION, seed.notes)
    seed.notes.append(
        "Long format: one row per LSOA 2011 × single year of age (90 means 90 and over) × sex. Sum "
        "`population` for all ages. The source's lsoa_year reads 2019 but the codes are 2011 LSOAs."
    )
    return Built(out.reset_index(drop=True), seed.notes)


@builder("police_crime_2021_12", files=[CRIME])
def crime(seed, inputs):
    raw = seed.csv(
        CRIME,
        [
            "Crime ID",
            "Month",
            "Longitude",
            "Latitude",
            "Location",
            "LSOA code",
            "LSOA name",
            "Crime type",
            "Last outcome category",
        ],
    )
    out = raw.rename(
        columns={
            "Crime ID": "crime_id",
            "Month": "month",
            "Longitude": "longitude",
            "Latitude": "latitude",
            "Location": "location",
            "LSOA code": "lsoa11_code",
            "LSOA name": "lsoa11_name",
            "Crime type": "crime_type",
            "Last outcome category": "last_outcome",
        }
    )
    numbers(out, ["longitude", "latitude"], "float64", CRIME, seed.notes)
    out = out[
        [
            "crime_id",
            "month",
            "crime_type",
            "last_outcome",
            "location",
            "lsoa11_code",
            "lsoa11_name",
            "longitude",
            "latitude",
        ]
    ]
    seed.notes.append("Anti-social behaviour records have no crime_id (empty), as in police.uk.")
    seed.notes.append("Locations are police.uk anonymised snap points in WGS84 (EPSG:4326), not exact addresses.")
    seed.notes.append("Halton is policed by Cheshire Constabulary: only 1 Halton record is in this Merseyside file.")
    frame = geopandas.GeoDataFrame(out, geometry=geopandas.points_from_xy(out.longitude, out.latitude), crs="EPSG:4326")
    return Built(frame.reset_index(drop=True), seed.notes)
