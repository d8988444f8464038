"""Deprivation datasets: IoD2019 on LSOA 2011 (one analyst-shaped table), IoD2025 on LSOA 2021 (File 7 in full,
checked against the humaniverse copy of its first version), mySociety UK IMD."""

from __future__ import annotations

from pathlib import Path

from commons_hub.ingest.registry import Built, builder
from commons_hub.ingest.seed import expect_codes, numbers
from commons_kernel.exceptions import SeedFileError

LCR_LSOA11 = 989
LCR_LSOA21 = 1003

FILE1 = "iod2019_file1_imd_lsoa11_lcr.csv"
FILE2 = "iod2019_file2_domains_lsoa11_lcr.csv"
FILE6 = "iod2019_file6_population_denominators_lsoa11_lcr.csv"
SCORE = "iod2019_imd_score_lsoa11_lcr.csv"

DOMAINS_2019 = {
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing",
    "Living Environment": "living_environment",
}


@builder("imd2019_lsoa11", files=[FILE1, FILE2, FILE6, SCORE])
def imd2019(seed, inputs):
    ids = [
        "LSOA code (2011)",
        "LSOA name (2011)",
        "Local Authority District code (2019)",
        "Local Authority District name (2019)",
    ]
    f1 = seed.csv(
        FILE1, ids + ["Index of Multiple Deprivation (IMD) Rank", "Index of Multiple Deprivation (IMD) Decile"]
    )
    domain_cols = {}
    for label, short in DOMAINS_2019.items():
        domain_cols[f"{label} Rank (where 1 is most deprived)"] = f"{short}_rank"
        domain_cols[f"{label} Decile (where 1 is most deprived 10% of LSOAs)"] = f"{short}_decile"
    f2 = seed.csv(FILE2, ids[:1] + list(domain_cols))
    pop_cols = {
        "Total population: mid 2015 (excluding prisoners)": "pop_total",
        "Dependent Children aged 0-15: mid 2015 (excluding prisoners)": "pop_0_15",
        "Population aged 16-59: mid 2015 (excluding prisoners)": "pop_16_59",
        "Older population aged 60 and over: mid 2015 (excluding prisoners)": "pop_60_plus",
        "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)": (
            "pop_working_age"
        ),
    }
    f6 = seed.csv(FILE6, ids[:1] + list(pop_cols))
    score = seed.csv(SCORE, ["lsoa_code", "imd_score", "imd_decile"])
    for frame, name in [(f1, FILE1), (f2, FILE2), (f6, FILE6)]:
        expect_codes(frame, "LSOA code (2011)", LCR_LSOA11, name, "LSOAs (2011)")
    expect_codes(score, "lsoa_code", LCR_LSOA11, SCORE, "LSOAs (2011)")

    out = f1.rename(
        columns={
            ids[0]: "lsoa11_code",
            ids[1]: "lsoa11_name",
            ids[2]: "lad19_code",
            ids[3]: "lad19_name",
            "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
            "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
        }
    )
    out = out.merge(
        score[["lsoa_code", "imd_score"]].rename(columns={"lsoa_code": "lsoa11_code"}),
        on="lsoa11_code",
        validate="one_to_one",
    )
    out = out.merge(
        f2[[ids[0], *domain_cols]].rename(columns={ids[0]: "lsoa11_code", **domain_cols}),
        on="lsoa11_code",
        validate="one_to_one",
    )
    out = out.merge(
        f6[[ids[0], *pop_cols]].rename(columns={ids[0]: "lsoa11_code", **pop_cols}),
        on="lsoa11_code",
        validate="one_to_one",
    )
    notes = seed.notes
    numbers(
        out,
        ["imd_rank", "imd_decile", *domain_cols.values(), *pop_cols.values()],
        "int64",
        f"{FILE1}, {FILE2}, {FILE6}",
        notes,
    )
    numbers(out, ["imd_score"], "float64", SCORE, notes)
    notes.append(
        "Joined IoD2019 File 1 (IMD rank/decile), File 2 (domain ranks/deciles), File 6 (mid-2015 population "
        "denominators) and the File 7 IMD score on the LSOA 2011 code: 989 rows, no unmatched codes."
    )
    notes.append("Domain scores for 2019 are not in the seed data (see SOURCES.md); IoD2025 has them on LSOA 2021.")
    columns = [
        "lsoa11_code",
        "lsoa11_name",
        "lad19_code",
        "lad19_name",
        "imd_score",
        "imd_rank",
        "imd_decile",
        *domain_cols.values(),
        *pop_cols.values(),
    ]
    return Built(out[columns].sort_values("lsoa11_code").reset_index(drop=True), notes)


IOD2025 = "iod2025_lsoa21_lcr.csv"
FILE7_2025 = "iod2025_file7_lsoa21_lcr.csv"
DOMAINS_2025 = {
    "IMD": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education": "education",
    "Health": "health",
    "Crime": "crime",
    "Housing_and_Services": "housing",
    "Environment": "living_environment",
}
# File 7's labels (as published) → short names. The domains come first, in the order of the older columns.
FILE7_MEASURES = {
    "Index of Multiple Deprivation (IMD)": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing",
    "Living Environment": "living_environment",
    "Income Deprivation Affecting Children Index (IDACI)": "idaci",
    "Income Deprivation Affecting Older People (IDAOPI)": "idaopi",
    "Children and Young People Sub-domain": "children_young_people",
    "Adult Skills Sub-domain": "adult_skills",
    "Geographical Barriers Sub-domain": "geographical_barriers",
    "Wider Barriers Sub-domain": "wider_barriers",
    "Indoors Sub-domain": "indoors",
    "Outdoors Sub-domain": "outdoors",
}
RATE_SCORES = {
    "Income",
    "Employment",
    "Income Deprivation Affecting Children Index (IDACI)",
    "Income Deprivation Affecting Older People (IDAOPI)",
}
FILE7_POPULATION = {
    "Total population: mid 2022": "pop_total",
    "Dependent Children aged 0-15: mid 2022": "pop_0_15",
    "Older population aged 60 and over: mid 2022": "pop_60_plus",
    "Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022": "pop_working_age",
}
# The publisher cut this one header short in the official CSV; a corrected file would have the full name.
FILE7_TRUNCATED = {
    "Children and Young People Sub-domain Decile (where 1 is most deprived 10% of LSOAs)": (
        "Children and Young People Sub-domain Decile (where 1 is most deprived 10% of LSO"
    )
}


def file7_columns() -> dict[str, str]:
    """File 7's published column names (full form) → the dataset's column names."""
    columns = {}
    for label, short in FILE7_MEASURES.items():
        columns[f"{label} Score (rate)" if label in RATE_SCORES else f"{label} Score"] = f"{short}_score"
        columns[f"{label} Rank (where 1 is most deprived)"] = f"{short}_rank"
        columns[f"{label} Decile (where 1 is most deprived 10% of LSOAs)"] = f"{short}_decile"
    return {**columns, **FILE7_POPULATION}


def read_file7(seed):
    """IoD2025 File 7 with its published quirks handled and noted: CRLF line endings, one truncated header."""
    ids = ["LSOA code (2021)", "LSOA name (2021)", "Local Authority District code (2024)"]
    columns = file7_columns()
    required = [c for c in columns if c not in FILE7_TRUNCATED]
    raw = seed.csv(FILE7_2025, ids + required)
    path = Path(seed.seed_dir) / FILE7_2025
    for full, cut in FILE7_TRUNCATED.items():
        if full in raw.columns:
            continue
        if cut not in raw.columns:
            raise SeedFileError(
                path,
                f"missing column {full!r} (published truncated as {cut!r}).",
                line=1,
                fix="check this is IoD2025 File 7 (see catalog/datasets/imd2025_lsoa21.yaml).",
            )
        raw = raw.rename(columns={cut: full})
        seed.notes.append(
            f"{FILE7_2025}: the header {cut!r} is truncated in the published file; read as {full!r} ({columns[full]})."
        )
    if b"\r\n" in path.read_bytes():
        seed.notes.append(f"{FILE7_2025}: CRLF (Windows) line endings, as published; read as line breaks.")
    expect_codes(raw, ids[0], LCR_LSOA21, FILE7_2025, "LSOAs (2021)")
    out = raw[ids + list(columns)].rename(columns={ids[0]: "lsoa21_code", ids[2]: "lad24_code", **columns})
    numbers(out, [c for c in columns.values() if not c.endswith("_score")], "int64", FILE7_2025, seed.notes, path)
    numbers(out, [c for c in columns.values() if c.endswith("_score")], "float64", FILE7_2025, seed.notes, path)
    return out


def check_agrees(file7, older, seed):
    """The humaniverse copy (the dataset's first version) must agree with File 7 on every value it has."""
    path = Path(seed.seed_dir) / IOD2025
    merged = file7.merge(older, on="lsoa21_code", how="outer", suffixes=("", "_older"), indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    if not unmatched.empty:
        raise SeedFileError(
            path,
            f"LSOA {unmatched['lsoa21_code'].iloc[0]} is in only one of {IOD2025} and "
            f"{FILE7_2025}; they must hold the same 1,003 LSOAs.",
            fix="download both files again from the sources in SOURCES.md.",
        )
    for column in [c for c in older.columns if c != "lsoa21_code"]:
        tolerance = 5e-4 if column.endswith("_score") else 0
        differs = (merged[column] - merged[f"{column}_older"]).abs() > tolerance
        if differs.any():
            code = merged.loc[differs, "lsoa21_code"].iloc[0]
            line = int(older.index[older["lsoa21_code"] == code][0]) + 2
            raise SeedFileError(
                path,
                f"{column} of {code} differs from {FILE7_2025} "
                f"({merged.loc[differs, column + '_older'].iloc[0]} against "
                f"{merged.loc[differs, column].iloc[0]}).",
                line=line,
                column=column,
                fix="use the published files unchanged (see SOURCES.md).",
            )
    seed.notes.append(
        f"Checked against {IOD2025} (humaniverse/IMD's copy, this dataset's first source): the same "
        f"1,003 LSOAs and every IMD and domain score, rank and decile agree."
    )


@builder("imd2025_lsoa21", files=[FILE7_2025, IOD2025], needs=["lookup_lsoa11_lsoa21"], version=2)
def imd2025(seed, inputs):
    out = read_file7(seed)
    measures = [f"{d}_{m}" for d in DOMAINS_2025 for m in ("score", "rank", "decile")]
    older = seed.csv(IOD2025, ["lsoa21_code", *measures])
    rename = {f"{d}_{m}": f"{short}_{m}" for d, short in DOMAINS_2025.items() for m in ("score", "rank", "decile")}
    older = older[["lsoa21_code", *measures]].rename(columns=rename)
    numbers(older, [c for c in rename.values() if not c.endswith("_score")], "int64", IOD2025, seed.notes)
    numbers(older, [c for c in rename.values() if c.endswith("_score")], "float64", IOD2025, seed.notes)
    check_agrees(out, older, seed)
    names = inputs["lookup_lsoa11_lsoa21"][["lsoa21_code", "lsoa21_name", "lad22_code", "lad22_name"]].drop_duplicates()
    out = out.merge(names, on="lsoa21_code", how="left", validate="one_to_one")
    moved = out[out["lad24_code"] != out["lad22_code"]]
    if not moved.empty:
        raise SeedFileError(
            Path(seed.seed_dir) / FILE7_2025,
            f"LSOA {moved['lsoa21_code'].iloc[0]} lies in "
            f"{moved['lad24_code'].iloc[0]} (2024) but {moved['lad22_code'].iloc[0]} (2022 lookup).",
            fix="the six LCR authorities did not change between 2022 and 2024; check the file.",
        )
    seed.notes.append(
        "LSOA 2021 names and LAD 2022 codes from the ONS LSOA 2011→2021 lookup (File 7's LAD 2024 "
        "codes are the same for all 1,003 LSOAs)."
    )
    seed.notes.append(
        "Income, Employment, IDACI and IDAOPI scores are rates (proportion of people); other scores "
        "are index scores. Higher is more deprived; rank 1 is the most deprived of England's 33,755 "
        "LSOAs."
    )
    seed.notes.append(
        "Population denominators are MHCLG's mid-2022 figures from File 7: the weights of the "
        "published area summaries (ck.deprivation_summary)."
    )
    columns = [
        "lsoa21_code",
        "lsoa21_name",
        "lad22_code",
        "lad22_name",
        *rename.values(),
        *[c for c in file7_columns().values() if c not in rename.values()],
    ]
    return Built(out[columns].sort_values("lsoa21_code").reset_index(drop=True), seed.notes)


MYSOCIETY = "mysociety_uk_imd_e_lsoa11_lcr.csv"


@builder("uk_imd_composite_lsoa11", files=[MYSOCIETY])
def mysociety(seed, inputs):
    cols = [
        "lsoa",
        "overall_local_score",
        "income_score",
        "employment_score",
        "UK_IMD_E_score",
        "original_decile",
        "E_expanded_decile",
        "UK_IMD_E_rank",
        "UK_IMD_E_pop_decile",
        "UK_IMD_E_pop_quintile",
    ]
    raw = seed.csv(MYSOCIETY, cols)
    expect_codes(raw, "lsoa", LCR_LSOA11, MYSOCIETY, "LSOAs (2011)")
    out = raw[cols].rename(
        columns={
            "lsoa": "lsoa11_code",
            "overall_local_score": "imd2019_score",
            "income_score": "income_rate_pct",
            "employment_score": "employment_rate_pct",
            "UK_IMD_E_score": "uk_imd_e_score",
            "original_decile": "imd2019_decile",
            "E_expanded_decile": "uk_imd_e_expanded_decile",
            "UK_IMD_E_rank": "uk_imd_e_rank",
            "UK_IMD_E_pop_decile": "uk_imd_e_pop_decile",
            "UK_IMD_E_pop_quintile": "uk_imd_e_pop_quintile",
        }
    )
    numbers(
        out,
        ["imd2019_score", "income_rate_pct", "employment_rate_pct", "uk_imd_e_score", "uk_imd_e_rank"],
        "float64",
        MYSOCIETY,
        seed.notes,
    )
    numbers(
        out,
        ["imd2019_decile", "uk_imd_e_expanded_decile", "uk_imd_e_pop_decile", "uk_imd_e_pop_quintile"],
        "int64",
        MYSOCIETY,
        seed.notes,
    )
    return Built(out.sort_values("lsoa11_code").reset_index(drop=True), seed.notes)
