"""Deprivation datasets: IoD2019 on LSOA 2011 (one analyst-shaped table), IoD2025 on LSOA 2021, mySociety UK IMD."""

from __future__ import annotations

from commons_hub.ingest.registry import Built, builder
from commons_hub.ingest.seed import expect_codes, numbers

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
    ids = ["LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
           "Local Authority District name (2019)"]
    f1 = seed.csv(FILE1, ids + ["Index of Multiple Deprivation (IMD) Rank", "Index of Multiple Deprivation (IMD) Decile"])
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
        "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)":
            "pop_working_age",
    }
    f6 = seed.csv(FILE6, ids[:1] + list(pop_cols))
    score = seed.csv(SCORE, ["lsoa_code", "imd_score", "imd_decile"])
    for frame, name in [(f1, FILE1), (f2, FILE2), (f6, FILE6)]:
        expect_codes(frame, "LSOA code (2011)", LCR_LSOA11, name, "LSOAs (2011)")
    expect_codes(score, "lsoa_code", LCR_LSOA11, SCORE, "LSOAs (2011)")

    out = f1.rename(columns={
        ids[0]: "lsoa11_code", ids[1]: "lsoa11_name", ids[2]: "lad19_code", ids[3]: "lad19_name",
        "Index of Multiple Deprivation (IMD) Rank": "imd_rank", "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
    })
    out = out.merge(score[["lsoa_code", "imd_score"]].rename(columns={"lsoa_code": "lsoa11_code"}), on="lsoa11_code",
                    validate="one_to_one")
    out = out.merge(f2[[ids[0], *domain_cols]].rename(columns={ids[0]: "lsoa11_code", **domain_cols}),
                    on="lsoa11_code", validate="one_to_one")
    out = out.merge(f6[[ids[0], *pop_cols]].rename(columns={ids[0]: "lsoa11_code", **pop_cols}),
                    on="lsoa11_code", validate="one_to_one")
    notes = seed.notes
    numbers(out, ["imd_rank", "imd_decile", *domain_cols.values(), *pop_cols.values()], "int64",
            f"{FILE1}, {FILE2}, {FILE6}", notes)
    numbers(out, ["imd_score"], "float64", SCORE, notes)
    notes.append("Joined IoD2019 File 1 (IMD rank/decile), File 2 (domain ranks/deciles), File 6 (mid-2015 population "
                 "denominators) and the File 7 IMD score on the LSOA 2011 code: 989 rows, no unmatched codes.")
    notes.append("Domain scores for 2019 are not in the seed data (see SOURCES.md); IoD2025 has them on LSOA 2021.")
    columns = ["lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "imd_score", "imd_rank", "imd_decile",
               *domain_cols.values(), *pop_cols.values()]
    return Built(out[columns].sort_values("lsoa11_code").reset_index(drop=True), notes)


IOD2025 = "iod2025_lsoa21_lcr.csv"
DOMAINS_2025 = {"IMD": "imd", "Income": "income", "Employment": "employment", "Education": "education",
                "Health": "health", "Crime": "crime", "Housing_and_Services": "housing",
                "Environment": "living_environment"}


@builder("imd2025_lsoa21", files=[IOD2025], needs=["lookup_lsoa11_lsoa21"])
def imd2025(seed, inputs):
    measures = [f"{d}_{m}" for d in DOMAINS_2025 for m in ("score", "rank", "decile")]
    raw = seed.csv(IOD2025, ["lsoa21_code", *measures])
    expect_codes(raw, "lsoa21_code", LCR_LSOA21, IOD2025, "LSOAs (2021)")
    rename = {f"{d}_{m}": f"{short}_{m}" for d, short in DOMAINS_2025.items() for m in ("score", "rank", "decile")}
    out = raw[["lsoa21_code", *measures]].rename(columns=rename)
    numbers(out, [c for c in rename.values() if not c.endswith("_score")], "int64", IOD2025, seed.notes)
    numbers(out, [c for c in rename.values() if c.endswith("_score")], "float64", IOD2025, seed.notes)
    names = inputs["lookup_lsoa11_lsoa21"][["lsoa21_code", "lsoa21_name", "lad22_code", "lad22_name"]].drop_duplicates()
    out = out.merge(names, on="lsoa21_code", how="left", validate="one_to_one")
    seed.notes.append("LSOA 2021 names and LAD 2022 codes added from the ONS LSOA 2011→2021 lookup.")
    seed.notes.append("Income and Employment scores are rates (proportion of people); other domain scores are "
                      "index scores. Higher is more deprived; rank 1 is the most deprived LSOA in England.")
    columns = ["lsoa21_code", "lsoa21_name", "lad22_code", "lad22_name", *rename.values()]
    return Built(out[columns].sort_values("lsoa21_code").reset_index(drop=True), seed.notes)


MYSOCIETY = "mysociety_uk_imd_e_lsoa11_lcr.csv"


@builder("uk_imd_composite_lsoa11", files=[MYSOCIETY])
def mysociety(seed, inputs):
    cols = ["lsoa", "overall_local_score", "income_score", "employment_score", "UK_IMD_E_score", "original_decile",
            "E_expanded_decile", "UK_IMD_E_rank", "UK_IMD_E_pop_decile", "UK_IMD_E_pop_quintile"]
    raw = seed.csv(MYSOCIETY, cols)
    expect_codes(raw, "lsoa", LCR_LSOA11, MYSOCIETY, "LSOAs (2011)")
    out = raw[cols].rename(columns={"lsoa": "lsoa11_code", "overall_local_score": "imd2019_score",
                                    "income_score": "income_rate_pct", "employment_score": "employment_rate_pct",
                                    "UK_IMD_E_score": "uk_imd_e_score", "original_decile": "imd2019_decile",
                                    "E_expanded_decile": "uk_imd_e_expanded_decile", "UK_IMD_E_rank": "uk_imd_e_rank",
                                    "UK_IMD_E_pop_decile": "uk_imd_e_pop_decile",
                                    "UK_IMD_E_pop_quintile": "uk_imd_e_pop_quintile"})
    numbers(out, ["imd2019_score", "income_rate_pct", "employment_rate_pct", "uk_imd_e_score", "uk_imd_e_rank"],
            "float64", MYSOCIETY, seed.notes)
    numbers(out, ["imd2019_decile", "uk_imd_e_expanded_decile", "uk_imd_e_pop_decile", "uk_imd_e_pop_quintile"],
            "int64", MYSOCIETY, seed.notes)
    return Built(out.sort_values("lsoa11_code").reset_index(drop=True), seed.notes)
