"""Boundaries, centroids and lookups. Every geometry is stored in EPSG:4326 and the notes say where from."""

from __future__ import annotations

import geopandas
import shapely

from commons_hub.ingest.registry import Built, builder
from commons_hub.ingest.seed import expect_codes, numbers

LSOA11_GEOJSON = "lsoa11_boundaries_lcr.geojson"
WARDS_GEOJSON = "wards_dec2022_lcr.geojson"
LAD_GEOJSON = "lad_dec2022_lcr.geojson"
CA_GEOJSON = "combined_authority_dec2022_lcr.geojson"
CENTROIDS = "lsoa21_population_weighted_centroids_lcr.csv"
LOOKUP_11_21 = "lookup_lsoa11_lsoa21_lad22_lcr.csv"
LOOKUP_11_WD21 = "lookup_lsoa11_wd21_lad21_lcr.csv"
LOOKUP_WD22 = "lookup_wd22_lad22_cty_rgn_ctry_lcr.csv"


def repair(frame, code_column: str, filename: str, notes: list[str]):
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        codes = sorted(frame.loc[invalid, code_column])
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.loc[invalid, "geometry"].values)
        notes.append(
            f"{filename}: repaired {len(codes)} invalid polygon(s) with shapely make_valid: {', '.join(codes)}."
        )
    return frame


@builder("lookup_lsoa11_lsoa21", files=[LOOKUP_11_21])
def lookup_11_21(seed, inputs):
    raw = seed.csv(LOOKUP_11_21, ["F_LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD", "LAD22NM"])
    expect_codes(raw, "F_LSOA11CD", 989, LOOKUP_11_21, "LSOAs (2011)")
    expect_codes(raw, "LSOA21CD", 1003, LOOKUP_11_21, "LSOAs (2021)")
    seed.notes.append(f"{LOOKUP_11_21}: the first header F_LSOA11CD (as exported) means LSOA11CD.")
    out = raw.rename(
        columns={
            "F_LSOA11CD": "lsoa11_code",
            "LSOA11NM": "lsoa11_name",
            "LSOA21CD": "lsoa21_code",
            "LSOA21NM": "lsoa21_name",
            "CHGIND": "change",
            "LAD22CD": "lad22_code",
            "LAD22NM": "lad22_name",
        }
    )
    cols = ["lsoa11_code", "lsoa11_name", "lsoa21_code", "lsoa21_name", "change", "lad22_code", "lad22_name"]
    return Built(out[cols].sort_values(["lsoa11_code", "lsoa21_code"]).reset_index(drop=True), seed.notes)


@builder("lookup_lsoa11_ward21", files=[LOOKUP_11_WD21])
def lookup_11_wd21(seed, inputs):
    raw = seed.csv(LOOKUP_11_WD21, ["LSOA11CD", "LSOA11NM", "WD21CD", "WD21NM", "LAD21CD", "LAD21NM"])
    expect_codes(raw, "LSOA11CD", 989, LOOKUP_11_WD21, "LSOAs (2011)")
    out = raw.rename(
        columns={
            "LSOA11CD": "lsoa11_code",
            "LSOA11NM": "lsoa11_name",
            "WD21CD": "ward21_code",
            "WD21NM": "ward21_name",
            "LAD21CD": "lad21_code",
            "LAD21NM": "lad21_name",
        }
    )
    seed.notes.append(
        "December 2021 wards: St Helens' 16 wards here were replaced by 18 new wards in May 2022; "
        "use lookup_lsoa11_ward22 for current wards."
    )
    return Built(out.sort_values("lsoa11_code").reset_index(drop=True), seed.notes)


@builder("lookup_ward22_lad22", files=[LOOKUP_WD22])
def lookup_wd22(seed, inputs):
    raw = seed.csv(LOOKUP_WD22, ["WD22CD", "WD22NM", "LAD22CD", "LAD22NM"])
    expect_codes(raw, "WD22CD", 125, LOOKUP_WD22, "wards (2022)")
    out = raw.rename(
        columns={"WD22CD": "ward22_code", "WD22NM": "ward22_name", "LAD22CD": "lad22_code", "LAD22NM": "lad22_name"}
    )[["ward22_code", "ward22_name", "lad22_code", "lad22_name"]]
    return Built(out.sort_values("ward22_code").reset_index(drop=True), seed.notes)


@builder("boundaries_lsoa11", files=[LSOA11_GEOJSON], needs=["lookup_lsoa11_lsoa21"])
def lsoa11(seed, inputs):
    frame = seed.geojson(LSOA11_GEOJSON, ["LSOA11CD", "LSOA11NM"])
    expect_codes(frame, "LSOA11CD", 989, LSOA11_GEOJSON, "LSOAs (2011)")
    frame = frame.rename(columns={"LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name"})
    frame = repair(frame, "lsoa11_code", LSOA11_GEOJSON, seed.notes)
    lad = inputs["lookup_lsoa11_lsoa21"][["lsoa11_code", "lad22_code", "lad22_name"]].drop_duplicates("lsoa11_code")
    frame = frame.merge(lad, on="lsoa11_code", how="left", validate="one_to_one")
    out = geopandas.GeoDataFrame(
        frame[["lsoa11_code", "lsoa11_name", "lad22_code", "lad22_name", "geometry"]],
        geometry="geometry",
        crs="EPSG:4326",
    )
    return Built(out.sort_values("lsoa11_code").reset_index(drop=True), seed.notes)


@builder("boundaries_ward22", files=[WARDS_GEOJSON])
def wards(seed, inputs):
    frame = seed.geojson(WARDS_GEOJSON, ["WD22CD", "WD22NM", "LAD22CD", "LAD22NM"])
    expect_codes(frame, "WD22CD", 125, WARDS_GEOJSON, "wards (2022)")
    frame = frame.rename(
        columns={"WD22CD": "ward22_code", "WD22NM": "ward22_name", "LAD22CD": "lad22_code", "LAD22NM": "lad22_name"}
    )
    frame = repair(frame, "ward22_code", WARDS_GEOJSON, seed.notes)
    seed.notes.append(
        "Super-generalised (BSC) outlines, coordinates rounded to 5 decimal places by Open Innovations. "
        "Liverpool's 64 wards of 2023 are not reflected."
    )
    out = frame[["ward22_code", "ward22_name", "lad22_code", "lad22_name", "geometry"]]
    return Built(out.sort_values("ward22_code").reset_index(drop=True), seed.notes)


@builder("boundaries_lad22", files=[LAD_GEOJSON])
def lads(seed, inputs):
    frame = seed.geojson(LAD_GEOJSON, ["LAD22CD", "LAD22NM"])
    expect_codes(frame, "LAD22CD", 6, LAD_GEOJSON, "local authorities")
    frame = frame.rename(columns={"LAD22CD": "lad22_code", "LAD22NM": "lad22_name"})
    seed.notes.append(
        "Ultra-generalised (BUC, 500 m) outlines: coarse. For exact outlines dissolve boundaries_lsoa11 by lad22_code."
    )
    return Built(
        frame[["lad22_code", "lad22_name", "geometry"]].sort_values("lad22_code").reset_index(drop=True), seed.notes
    )


@builder("boundary_lcr", files=[CA_GEOJSON])
def combined_authority(seed, inputs):
    frame = seed.geojson(CA_GEOJSON, ["CAUTH22CD", "CAUTH22NM"])
    frame = frame.rename(columns={"CAUTH22CD": "cauth22_code", "CAUTH22NM": "cauth22_name"})
    return Built(frame[["cauth22_code", "cauth22_name", "geometry"]].reset_index(drop=True), seed.notes)


@builder("centroids_lsoa21", files=[CENTROIDS])
def centroids(seed, inputs):
    raw = seed.csv(CENTROIDS, ["LSOA21CD", "x", "y"])
    expect_codes(raw, "LSOA21CD", 1003, CENTROIDS, "LSOAs (2021)")
    out = raw.rename(columns={"LSOA21CD": "lsoa21_code", "x": "x_bng", "y": "y_bng"})[["lsoa21_code", "x_bng", "y_bng"]]
    numbers(out, ["x_bng", "y_bng"], "float64", CENTROIDS, seed.notes)
    points = geopandas.points_from_xy(out.x_bng, out.y_bng, crs="EPSG:27700").to_crs("EPSG:4326")
    seed.notes.append(
        f"{CENTROIDS}: x and y are British National Grid (EPSG:27700), kept as x_bng / y_bng; the "
        f"geometry column is the same point reprojected to EPSG:4326."
    )
    frame = geopandas.GeoDataFrame(out, geometry=points, crs="EPSG:4326")
    return Built(frame.sort_values("lsoa21_code").reset_index(drop=True), seed.notes)


@builder(
    "lookup_lsoa11_ward22",
    needs=["boundaries_lsoa11", "boundaries_ward22", "lookup_lsoa11_ward21", "lookup_ward22_lad22"],
    version=1,
)
def lookup_11_wd22(seed, inputs):
    from commons_kernel.geography import derive_lsoa11_to_ward22

    out = derive_lsoa11_to_ward22(
        inputs["boundaries_lsoa11"],
        inputs["boundaries_ward22"],
        inputs["lookup_lsoa11_ward21"],
        inputs["lookup_ward22_lad22"],
    )
    spatial = int((out["method"] != "official").sum())
    seed.notes.append(
        f"Derived by the commons: {len(out) - spatial} LSOAs from the official LSOA11→WD21 lookup where "
        f"the 2021 ward code is still current; {spatial} (St Helens, whose wards changed in May 2022) by "
        f"largest overlap of the LSOA polygon with the 2022 ward polygons in EPSG:27700."
    )
    return Built(out.sort_values("lsoa11_code").reset_index(drop=True), seed.notes)
