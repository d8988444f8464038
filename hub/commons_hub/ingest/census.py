"""Census 2021 tables: one dataset each, LSOA, MSOA and local-authority rows as in the source."""

from __future__ import annotations

import re

from commons_hub.ingest.registry import Built, builder
from commons_hub.ingest.seed import numbers

LEVELS = {"LSOA": "lsoa21", "MSOA": "msoa21", "Local Authority": "lad22"}
TABLES = {
    "census2021_ts001_residence_type": "census2021_ts001_residence_type_lsoa21_msoa21_lad_lcr.csv",
    "census2021_ts004_country_of_birth": "census2021_ts004_country_of_birth_3a_lsoa21_msoa21_lad_lcr.csv",
    "census2021_ts008_sex": "census2021_ts008_sex_lsoa21_msoa21_lad_lcr.csv",
    "census2021_ts038_disability": "census2021_ts038_disability_3a_lsoa21_msoa21_lad_lcr.csv",
    "census2021_ts046_central_heating": "census2021_ts046_heating_type_3a_lsoa21_msoa21_lad_lcr.csv",
    "census2021_ts068_full_time_education": "census2021_ts068_in_full_time_education_lsoa21_msoa21_lad_lcr.csv",
}
ID_COLUMNS = [
    "Geography code",
    "Geography label",
    "Geography area type",
    "Parent area code",
    "Parent area type",
    "Classification",
    "Total",
]


def snake(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _census_builder(name: str, filename: str):
    @builder(name, files=[filename])
    def build(seed, inputs):
        raw = seed.csv(filename, ID_COLUMNS)
        categories = [c for c in raw.columns if c not in ID_COLUMNS and not c.startswith("Percentage: ")]
        percentages = [c for c in raw.columns if c.startswith("Percentage: ")]
        counts = {c: snake(c) for c in categories}
        pcts = {c: "pct_" + snake(c.removeprefix("Percentage: ")) for c in percentages}
        unknown = set(raw["Geography area type"]) - set(LEVELS)
        if unknown:
            from commons_kernel.exceptions import SeedFileError

            raise SeedFileError(
                filename,
                f"unexpected Geography area type(s) {sorted(unknown)}.",
                column="Geography area type",
                fix="expected LSOA, MSOA or Local Authority rows.",
            )
        out = raw.rename(
            columns={
                "Geography code": "area_code",
                "Geography label": "area_name",
                "Parent area code": "parent_code",
                "Parent area type": "parent_name",
                "Total": "total",
                **counts,
                **pcts,
            }
        )
        out["area_level"] = raw["Geography area type"].map(LEVELS)
        lsoas = int((out["area_level"] == "lsoa21").sum())
        if lsoas != 1003:
            from commons_kernel.exceptions import SeedFileError

            raise SeedFileError(
                filename,
                f"has {lsoas} LSOA rows; the Liverpool City Region has 1003 LSOAs (2021).",
                fix="download the table again; it looks truncated.",
            )
        numbers(out, [*counts.values(), "total"], "int64", filename, seed.notes)
        numbers(out, list(pcts.values()), "float64", filename, seed.notes)
        seed.notes.append(
            f"{filename}: the source's 'Parent area type' column holds the parent's name; kept as "
            f"parent_name. Rows mix levels (area_level: lsoa21, msoa21, lad22); filter before summing. "
            f"LSOA sums differ from the local-authority rows by a few people (ONS cell perturbation)."
        )
        columns = [
            "area_code",
            "area_name",
            "area_level",
            "parent_code",
            "parent_name",
            *counts.values(),
            "total",
            *pcts.values(),
        ]
        return Built(out[columns].reset_index(drop=True), seed.notes)

    return build


for _name, _file in TABLES.items():
    _census_builder(_name, _file)

TS011 = "census2021_ts011_household_deprivation_lsoa21_lcr.csv"


@builder("census2021_ts011_household_deprivation", files=[TS011])
def ts011(seed, inputs):
    raw = seed.csv(TS011, ["lsoa21_code", "households_number_deprivation_dimensions", "count", "percent"])
    out = raw.rename(
        columns={
            "households_number_deprivation_dimensions": "deprivation_dimensions",
            "count": "households",
            "percent": "pct_households",
        }
    )
    numbers(out, ["deprivation_dimensions", "households"], "int64", TS011, seed.notes)
    numbers(out, ["pct_households"], "float64", TS011, seed.notes)
    if out["lsoa21_code"].nunique() != 1003:
        from commons_kernel.exceptions import SeedFileError

        raise SeedFileError(
            TS011, f"covers {out['lsoa21_code'].nunique()} LSOAs (2021); expected 1003.", fix="download it again."
        )
    seed.notes.append("Long format: one row per LSOA 2021 and number of dimensions of deprivation (0 to 4).")
    return Built(out.reset_index(drop=True), seed.notes)
