"""Working commons_kernel code for a dataset: read it (with a project for restricted data), pick out a place,
and link or aggregate it by geography.

The code is built from the dataset's metadata (its columns say which area codes it carries), so a snippet only
filters on columns that exist. Filtering a place uses the published lookups through ``ck.read``, nothing else.
"""

from __future__ import annotations

import re

from commons_kernel import tiers
from commons_kernel.assistant.places import Place

WARD_LOOKUP = "lookup_lsoa11_ward22"  # lsoa11_code → ward22_code (best fit for St Helens)
LSOA_LOOKUP = "lookup_lsoa11_lsoa21"  # lsoa11_code → lsoa21_code, with lad22_code
PROJECT_PLACEHOLDER = "YOUR-PROJECT"


def column_names(meta: dict) -> list[str]:
    return [c.get("name", "") for c in meta.get("columns") or []]


def code_column(meta: dict, kind: str) -> str | None:
    """The dataset's column of ``kind`` codes (lsoa, ward, lad), e.g. ``lad19_code``; None when it has none."""
    for name in column_names(meta):
        if re.fullmatch(rf"{kind}\d\d_code", name):
            return name
    return None


def variable(meta: dict) -> str:
    """A short Python name for the frame: ``imd``, ``crime``, ``census``..."""
    name = meta["name"]
    for prefix, short in (
        ("imd", "imd"),
        ("uk_imd", "imd"),
        ("police", "crime"),
        ("census", "census"),
        ("population", "population"),
        ("boundar", "areas"),
        ("lookup", "lookup"),
        ("centroids", "centroids"),
    ):
        if name.startswith(prefix):
            return short
    return "df"


def read_line(meta: dict, project: str | None = None) -> str:
    name, var = meta["name"], variable(meta)
    tier = tiers.find(meta.get("tier"))
    if tier is not None and tier.needs_project:
        return (
            f"# {tier.name}: only members of an approved project that lists {name} may read it\n"
            f"{var} = ck.read({name!r}, project={(project or PROJECT_PLACEHOLDER)!r})"
        )
    return f"{var} = ck.read({name!r})"


def place_lines(meta: dict, place: Place) -> list[str]:
    """Lines that put ``place``'s rows in ``here``, or [] when the dataset cannot be cut to that place."""
    var, columns = variable(meta), column_names(meta)
    label = f"  # {place.name}" if place.name else ""
    if place.level == "lad":
        if "area_code" in columns:  # census tables carry a row per local authority
            return [f"here = {var}[{var}['area_code'] == {place.code!r}]{label}"]
        lad = code_column(meta, "lad")
        if lad:
            return [f"here = {var}[{var}[{lad!r}] == {place.code!r}]{label}"]
        lsoa = code_column(meta, "lsoa")
        if lsoa in ("lsoa11_code", "lsoa21_code"):  # the LSOA lookup says which borough each LSOA is in
            return [
                f"lsoas = ck.read({LSOA_LOOKUP!r})",
                f"here = {var}[{var}[{lsoa!r}].isin(lsoas.loc[lsoas['lad22_code'] == {place.code!r}, "
                f"{lsoa!r}])]{label}",
            ]
    if place.level == "ward":
        ward = code_column(meta, "ward")
        if ward:
            return [f"here = {var}[{var}[{ward!r}] == {place.code!r}]{label}"]
        lsoa = code_column(meta, "lsoa") or ("area_code" if "area_code" in columns else None)
        if lsoa:
            lines = [
                f"wards = ck.read({WARD_LOOKUP!r})",
                f"in_ward = wards.loc[wards['ward22_code'] == {place.code!r}, 'lsoa11_code']{label}",
            ]
            if lsoa != "lsoa11_code":  # 2021 small areas: step through the official LSOA 2011 → 2021 lookup
                lines += [
                    f"lsoas = ck.read({LSOA_LOOKUP!r})",
                    "in_ward = lsoas.loc[lsoas['lsoa11_code'].isin(in_ward), 'lsoa21_code']",
                ]
            return lines + [f"here = {var}[{var}[{lsoa!r}].isin(in_ward)]"]
    if place.level in ("lsoa", "msoa"):
        column = code_column(meta, place.level) or ("area_code" if "area_code" in columns else None)
        if column:
            return [f"here = {var}[{var}[{column!r}] == {place.code!r}]"]
    return []


COUNT_UNITS = ("resident", "people", "person", "household", "visit", "count", "dwelling")  # units of countable things
POPULATION_WEIGHTS = ("pop_total", "population", "total")
LEVEL_KEYS = {"ward": "ward22", "lad": "lad22"}


def measures_argument(meta: dict) -> str | None:
    """The ``aggregate`` rule the metadata supports: a population-weighted mean of the first score, or sums of the
    count columns (units such as persons, households); None when the columns give no safe rule."""
    columns = meta.get("columns") or []
    names = [c.get("name", "") for c in columns]
    weight = next((w for w in POPULATION_WEIGHTS if w in names), None)
    score = next((n for n in names if n.endswith("_score")), None)
    if score and weight:
        return f"means={{{score!r}: {weight!r}}}"
    counts = [
        c.get("name")
        for c in columns
        if c.get("type") in ("integer", "float", "number")
        and any(unit in str(c.get("unit") or "").lower() for unit in COUNT_UNITS)
    ]
    return f"sums={counts[:4]!r}" if counts else None


def aggregate_lines(meta: dict, places: list[Place]) -> list[str]:
    """Small-area data aggregated up to the level the question is about (every ward, every borough)."""
    target = next((p.level for p in places if p.level in LEVEL_KEYS), None)
    columns = column_names(meta)
    small = code_column(meta, "lsoa") or ("area_code" if "area_code" in columns else None)
    rule = measures_argument(meta)
    if not target or not small or not rule or code_column(meta, target):
        return []
    if target == "lad" and "area_code" in columns:  # census tables already have a row per borough
        return []
    var = variable(meta)
    lines = [
        f"# every {'ward' if target == 'ward' else 'borough'}, from the small areas "
        "(result.attrs['method'] says how each column was combined)"
    ]
    if "area_level" in columns:  # census tables mix levels: aggregate the LSOA rows only
        lines.append(f"small_areas = {var}[{var}['area_level'] == 'lsoa21']")
        source = "small_areas"
    else:
        source = var
    lines.append(f"by_{target} = ck.aggregate({source}, to={LEVEL_KEYS[target]!r}, {rule})")
    return lines


def code_snippet(meta: dict, places: list[Place] | tuple = (), project: str | None = None) -> str:
    """Python that loads ``meta``'s dataset, aggregates it to the question's level when it can, and shows the
    rows of the first place it can cut out, ready to paste in a cell."""
    var = variable(meta)
    lines = ["import commons_kernel as ck", "", read_line(meta, project)]
    aggregated = aggregate_lines(meta, list(places))
    lines += aggregated
    shown = f"{var}.head()"
    for place in places:
        if aggregated and place.level in LEVEL_KEYS and f"by_{place.level} =" in aggregated[-1]:
            key = f"{LEVEL_KEYS[place.level]}_code"
            cut = [
                f"here = by_{place.level}[by_{place.level}[{key!r}] == {place.code!r}]"
                + (f"  # {place.name}" if place.name else "")
            ]
        else:
            cut = place_lines(meta, place)
        if cut:
            lines += cut
            shown = "here"
            break
    lines.append(shown)
    return "\n".join(lines) + "\n"


def link_snippet(left: dict, right: dict) -> str:
    """Python that links two datasets by area (``ck.link`` converts vintages through the official lookups)."""
    a, b = variable(left), variable(right)
    if a == b:
        a, b = a + "_a", b + "_b"
    return (
        "\n".join(
            [
                "import commons_kernel as ck",
                "",
                read_line(left).replace(variable(left) + " =", a + " =", 1),
                read_line(right).replace(variable(right) + " =", b + " =", 1),
                f"linked = ck.link({a}, {b})   # converts area codes between vintages, then joins on them",
                "linked.head()",
            ]
        )
        + "\n"
    )
