"""Everyday words residents use, mapped to the words the catalogue uses.

Each entry: the phrases people say → the catalogue terms they mean. Matching is on whole words of the lowercased
question, so "poor" does not fire inside "poorly". Add a row here when a real question misses.
"""

from __future__ import annotations

import re

SYNONYMS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        (
            "poverty",
            "poor",
            "poorer",
            "poorest",
            "deprived",
            "hardship",
            "disadvantaged",
            "disadvantage",
            "cost of living",
            "low income",
            "struggling",
            "worst off",
            "least well off",
            "most deprived",
            "affluent",
            "wealthy",
            "rich",
            "wealth",
            "inequality",
            "left behind",
            "better off",
            "worse off",
        ),
        ("deprivation", "income", "imd"),
    ),
    (
        (
            "crime",
            "crimes",
            "burglary",
            "burglaries",
            "antisocial",
            "anti social",
            "asb",
            "theft",
            "robbery",
            "violence",
            "violent",
            "shoplifting",
            "drugs",
            "vandalism",
            "criminal damage",
            "offences",
            "safe",
            "safety",
            "police",
            "policing",
        ),
        ("crime", "police", "anti-social behaviour"),
    ),
    (
        ("people", "residents", "how many", "population", "inhabitants", "headcount", "population size"),
        ("population", "residents", "census"),
    ),
    (
        ("age", "ages", "old", "older", "elderly", "pensioners", "children", "kids", "young", "aged"),
        ("age", "population"),
    ),
    (("men", "women", "male", "female", "gender", "sex"), ("sex", "female", "male")),
    (
        (
            "migrants",
            "migrant",
            "immigrants",
            "immigration",
            "born abroad",
            "foreign born",
            "born overseas",
            "nationality",
            "birthplace",
        ),
        ("country of birth", "born"),
    ),
    (
        ("disabled", "disability", "disabilities", "long term illness", "limiting illness", "impairment"),
        ("disability", "disabled"),
    ),
    (
        ("heating", "heated", "cold homes", "cold home", "fuel poverty", "boilers", "warm homes", "gas"),
        ("central heating", "heating"),
    ),
    (
        ("students", "student", "school", "schools", "pupils", "university", "college", "education"),
        ("full-time education", "education", "students"),
    ),
    (
        ("food bank", "foodbank", "food banks", "foodbanks", "food poverty", "food parcels", "hunger"),
        ("food bank", "visits"),
    ),
    (
        (
            "referral",
            "referrals",
            "referred",
            "social prescribing",
            "early help",
            "support service",
            "social care",
            "social services",
        ),
        ("referrals", "early help"),
    ),
    (
        ("care home", "care homes", "communal", "halls of residence", "prison", "prisons", "institution"),
        ("communal establishment", "residence type"),
    ),
    (
        (
            "map",
            "maps",
            "mapping",
            "boundary",
            "boundaries",
            "outline",
            "outlines",
            "shape",
            "shapes",
            "polygon",
            "polygons",
            "shapefile",
            "geojson",
            "border",
            "borders",
        ),
        ("boundaries", "geometry", "map"),
    ),
    (("neighbourhood", "neighbourhoods", "ward", "wards", "electoral"), ("ward",)),
    (
        ("borough", "boroughs", "council", "councils", "local authority", "local authorities", "district"),
        ("local authority", "lad"),
    ),
    (("small area", "small areas", "lsoa", "lsoas", "super output area"), ("lsoa",)),
    (
        (
            "convert",
            "conversion",
            "lookup",
            "look up",
            "match",
            "join",
            "best fit",
            "which ward",
            "which borough",
            "belongs",
            "belong",
            "inside",
            "within",
        ),
        ("lookup",),
    ),
    (
        ("centroid", "centroids", "centre point", "points", "coordinates", "location", "locations"),
        ("centroids", "points"),
    ),
    (
        ("city region", "combined authority", "lcr", "metro mayor", "whole region"),
        ("combined authority", "city region"),
    ),
    (
        ("unemployment", "unemployed", "employment", "job", "jobs", "work", "workless", "benefits"),
        ("employment", "deprivation"),
    ),
    (("health", "ill", "illness", "sick", "wellbeing"), ("health",)),
    (("housing", "homes", "houses", "overcrowding", "homelessness"), ("housing", "households")),
    (("households", "household", "families", "family"), ("households",)),
    (
        ("compare", "comparable", "scotland", "wales", "northern ireland", "across the uk", "whole uk"),
        ("uk", "composite"),
    ),
]

_COMPILED = [
    (re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + r")\b"), terms)
    for phrases, terms in SYNONYMS
]


def expand(question: str) -> list[str]:
    """Catalogue terms implied by everyday words in ``question`` (each once, in table order)."""
    lowered = question.lower().replace("-", " ")
    terms: list[str] = []
    for pattern, expansions in _COMPILED:
        if pattern.search(lowered):
            terms.extend(t for t in expansions if t not in terms)
    return terms


def trigger_phrases(question: str) -> list[str]:
    """The everyday phrases in ``question`` that the table knows (so they are not "unknown words")."""
    lowered = question.lower().replace("-", " ")
    return [match.group(0) for pattern, _ in _COMPILED for match in pattern.finditer(lowered)]
