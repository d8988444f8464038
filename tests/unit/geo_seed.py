"""Test helper: the raw seed files of ../shared/data read into frames with the contract's column names.

The geography engine takes frames; in the product the ingest (commons_hub.ingest) builds them. These tests read
the raw files themselves, so they do not depend on the ingest, and skip with a reason when the seed directory is
absent. Every loader is cached: the files are read once per test session.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas
import pandas as pd
import pytest

from commons_kernel.config import setting

LADS = {
    "E06000006": "Halton",
    "E08000011": "Knowsley",
    "E08000012": "Liverpool",
    "E08000013": "St. Helens",
    "E08000014": "Sefton",
    "E08000015": "Wirral",
}
ST_HELENS = "E08000013"


def seed_dir() -> Path:
    """The seed directory, or a skip when it is not on this machine."""
    raw = setting("seed_dir")
    path = Path(raw) if raw else None
    if path is None or not (path / "SOURCES.md").is_file():
        pytest.skip(f"seed data not found (COMMONS_SEED_DIR={raw!r}; expected ../shared/data with SOURCES.md)")
    return path


def _csv(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(seed_dir() / name, dtype=str, keep_default_na=False, na_values=[""], **kwargs)


def _number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.str.replace(",", "", regex=False))


@cache
def lookup_lsoa11_lsoa21() -> pd.DataFrame:
    return _csv("lookup_lsoa11_lsoa21_lad22_lcr.csv").rename(
        columns={
            "F_LSOA11CD": "lsoa11_code",
            "LSOA11NM": "lsoa11_name",
            "LSOA21CD": "lsoa21_code",
            "LSOA21NM": "lsoa21_name",
            "CHGIND": "change",
            "LAD22CD": "lad22_code",
            "LAD22NM": "lad22_name",
        }
    )[["lsoa11_code", "lsoa11_name", "lsoa21_code", "lsoa21_name", "change", "lad22_code", "lad22_name"]]


@cache
def lookup_lsoa11_ward21() -> pd.DataFrame:
    return _csv("lookup_lsoa11_wd21_lad21_lcr.csv").rename(
        columns={
            "LSOA11CD": "lsoa11_code",
            "LSOA11NM": "lsoa11_name",
            "WD21CD": "ward21_code",
            "WD21NM": "ward21_name",
            "LAD21CD": "lad21_code",
            "LAD21NM": "lad21_name",
        }
    )


@cache
def lookup_ward22_lad22() -> pd.DataFrame:
    return _csv("lookup_wd22_lad22_cty_rgn_ctry_lcr.csv").rename(
        columns={
            "WD22CD": "ward22_code",
            "WD22NM": "ward22_name",
            "LAD22CD": "lad22_code",
            "LAD22NM": "lad22_name",
        }
    )[["ward22_code", "ward22_name", "lad22_code", "lad22_name"]]


@cache
def boundaries_lsoa11() -> geopandas.GeoDataFrame:
    """As in the source file: CRS84 and 4 invalid polygons, not repaired here."""
    frame = geopandas.read_file(seed_dir() / "lsoa11_boundaries_lcr.geojson")
    frame = frame.rename(columns={"LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name"})
    lad = lookup_lsoa11_lsoa21()[["lsoa11_code", "lad22_code", "lad22_name"]].drop_duplicates("lsoa11_code")
    return frame.merge(lad, on="lsoa11_code", how="left")


@cache
def boundaries_ward22() -> geopandas.GeoDataFrame:
    return geopandas.read_file(seed_dir() / "wards_dec2022_lcr.geojson").rename(
        columns={"WD22CD": "ward22_code", "WD22NM": "ward22_name", "LAD22CD": "lad22_code", "LAD22NM": "lad22_name"}
    )


@cache
def boundaries_lad22() -> geopandas.GeoDataFrame:
    return geopandas.read_file(seed_dir() / "lad_dec2022_lcr.geojson").rename(
        columns={"LAD22CD": "lad22_code", "LAD22NM": "lad22_name"}
    )


@cache
def boundary_lcr() -> geopandas.GeoDataFrame:
    return geopandas.read_file(seed_dir() / "combined_authority_dec2022_lcr.geojson").rename(
        columns={"CAUTH22CD": "cauth22_code", "CAUTH22NM": "cauth22_name"}
    )


@cache
def imd2019_lsoa11() -> pd.DataFrame:
    """IMD 2019 score (File 7 via NHS-R), decile (File 1) and mid-2015 denominators (File 6), one row per LSOA."""
    score = _csv("iod2019_imd_score_lsoa11_lcr.csv").rename(
        columns={
            "lsoa_code": "lsoa11_code",
            "lsoa_name": "lsoa11_name",
            "la_code": "lad19_code",
            "la_name": "lad19_name",
        }
    )
    score["imd_score"] = _number(score["imd_score"])
    file1 = _csv("iod2019_file1_imd_lsoa11_lcr.csv")
    file1 = pd.DataFrame(
        {
            "lsoa11_code": file1["LSOA code (2011)"],
            "imd_rank": _number(file1["Index of Multiple Deprivation (IMD) Rank"]),
            "imd_decile": _number(file1["Index of Multiple Deprivation (IMD) Decile"]),
        }
    )
    file6 = _csv("iod2019_file6_population_denominators_lsoa11_lcr.csv")
    file6 = pd.DataFrame(
        {
            "lsoa11_code": file6["LSOA code (2011)"],
            "pop_total": _number(file6["Total population: mid 2015 (excluding prisoners)"]),
        }
    )
    frame = score[["lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "imd_score"]]
    return frame.merge(file1, on="lsoa11_code", validate="one_to_one").merge(
        file6, on="lsoa11_code", validate="one_to_one"
    )


@cache
def population_mid2019_lsoa11() -> pd.DataFrame:
    frame = _csv("population_mid2019_lsoa11_syoa_lcr.csv").rename(
        columns={
            "lsoa_code": "lsoa11_code",
            "lsoa_name": "lsoa11_name",
            "la_code": "lad19_code",
            "la_name": "lad19_name",
            "gender": "sex",
            "n": "population",
        }
    )
    frame["age"] = _number(frame["age"])
    frame["population"] = _number(frame["population"])
    return frame[["lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "age", "sex", "population"]]


@cache
def census(filename: str = "census2021_ts001_residence_type_lsoa21_msoa21_lad_lcr.csv") -> pd.DataFrame:
    """A Census 2021 table with the contract's id columns and ``total`` (other columns left out)."""
    raw = _csv(filename)
    levels = {"LSOA": "lsoa21", "MSOA": "msoa21", "Local Authority": "lad22"}
    return pd.DataFrame(
        {
            "area_code": raw["Geography code"],
            "area_name": raw["Geography label"],
            "area_level": raw["Geography area type"].map(levels),
            "parent_code": raw["Parent area code"],
            "total": _number(raw["Total"]),
        }
    )


@cache
def hierarchy():
    from commons_kernel.geography import Hierarchy

    return Hierarchy(
        lookup_lsoa11_lsoa21=lookup_lsoa11_lsoa21(),
        lookup_ward22_lad22=lookup_ward22_lad22(),
        lookup_lsoa11_ward21=lookup_lsoa11_ward21(),
        boundaries_lsoa11=boundaries_lsoa11(),
        boundaries_ward22=boundaries_ward22(),
        boundaries_lad22=boundaries_lad22(),
        boundary_lcr=boundary_lcr(),
        census_lsoa21=census(),
        population_lsoa11=population_mid2019_lsoa11(),
        population_lsoa21=census(),
    )


def read(name: str):
    """A stand-in for ``ck.read``: dataset name → frame, for Hierarchy.from_reader."""
    from commons_kernel.exceptions import DatasetNotFound
    from commons_kernel.geography import derive_lsoa11_to_ward22

    datasets = {
        "lookup_lsoa11_lsoa21": lookup_lsoa11_lsoa21,
        "lookup_lsoa11_ward21": lookup_lsoa11_ward21,
        "lookup_ward22_lad22": lookup_ward22_lad22,
        "boundaries_lsoa11": boundaries_lsoa11,
        "boundaries_ward22": boundaries_ward22,
        "boundaries_lad22": boundaries_lad22,
        "boundary_lcr": boundary_lcr,
        "census2021_ts001_residence_type": census,
        "population_mid2019_lsoa11": population_mid2019_lsoa11,
        "lookup_lsoa11_ward22": lambda: derive_lsoa11_to_ward22(
            boundaries_lsoa11(), boundaries_ward22(), lookup_lsoa11_ward21(), lookup_ward22_lad22()
        ),
    }
    if name not in datasets:
        raise DatasetNotFound(name)
    return datasets[name]()
