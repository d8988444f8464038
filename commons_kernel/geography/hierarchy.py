"""The hierarchy of areas and the conversions between them, built from lookup frames and boundaries.

    LSOA 2011 ⇄ LSOA 2021 → MSOA 2021 → LAD 2022 → combined authority (LCR)
    LSOA 2011 → ward 2022 → LAD 2022            LSOA 2011 → ward 2021 → LAD 2021

Each arrow is a crosswalk with its method (official lookup, nesting, spatial assignment) and, where an area is
shared between several others, the weights that share it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import pandas as pd

from commons_kernel.exceptions import CommonsError, GeographyError
from commons_kernel.geography import crosswalk as cw
from commons_kernel.geography.codes import KIND_LABELS, Level, kind_of_codes, parse_level
from commons_kernel.geography.spatial import METHOD_OFFICIAL, assign_by_representative_point, derive_lsoa11_to_ward22

LSOA11, LSOA21, MSOA21 = Level("lsoa", 2011), Level("lsoa", 2021), Level("msoa", 2021)
WARD21, WARD22 = Level("ward", 2021), Level("ward", 2022)
LAD21, LAD22, CAUTH22 = Level("lad", 2021), Level("lad", 2022), Level("cauth", 2022)
POPULATION_LSOA11_LABEL = "population of the LSOA 2011 areas (population_lsoa11)"
POPULATION_LSOA21_LABEL = "population of the LSOA 2021 areas (population_lsoa21)"


class Hierarchy:
    """Areas, their names, and crosswalks between levels.

    Required: ``lookup_lsoa11_lsoa21`` and ``lookup_ward22_lad22``. Optional, each adding levels or precision:
    ``lookup_lsoa11_ward22`` (else derived from ``boundaries_lsoa11``, ``boundaries_ward22`` and
    ``lookup_lsoa11_ward21`` when all three are given), ``lookup_lsoa11_ward21`` (ward 2021, LAD 2021),
    ``census_lsoa21`` (a Census 2021 table with area_level/parent_code: MSOA 2021), ``boundaries_lad22`` with
    ``boundary_lcr`` (combined authority), ``population_lsoa11`` and ``population_lsoa21`` (weights that share a
    merged or split LSOA; a Series by code, or a frame such as population_mid2019_lsoa11 or a Census table).
    Frames use the column names of docs/dev/contracts.md.
    """

    def __init__(
        self,
        *,
        lookup_lsoa11_lsoa21: pd.DataFrame,
        lookup_ward22_lad22: pd.DataFrame,
        lookup_lsoa11_ward22: pd.DataFrame | None = None,
        lookup_lsoa11_ward21: pd.DataFrame | None = None,
        boundaries_lsoa11=None,
        boundaries_ward22=None,
        boundaries_lad22=None,
        boundary_lcr=None,
        census_lsoa21: pd.DataFrame | None = None,
        population_lsoa11=None,
        population_lsoa21=None,
        notes: tuple[str, ...] = (),
    ):
        self._edges: dict[Level, list[cw.Crosswalk]] = {}
        self._codes: dict[Level, set[str]] = {}
        self._names: dict[Level, dict[str, str]] = {}
        self.notes: list[str] = list(notes)
        pop11 = _population(population_lsoa11, LSOA11)
        pop21 = _population(population_lsoa21, LSOA21)

        lookup = lookup_lsoa11_lsoa21
        self._learn(LSOA11, lookup, "lsoa11_code", "lsoa11_name")
        self._learn(LSOA21, lookup, "lsoa21_code", "lsoa21_name")
        self._learn(LAD22, lookup, "lad22_code", "lad22_name")
        self._add(
            cw.shared_by_weights(
                LSOA11,
                LSOA21,
                lookup,
                "lsoa11_code",
                "lsoa21_code",
                pop21,
                POPULATION_LSOA21_LABEL,
                "official ONS lookup LSOA 2011 → LSOA 2021",
            )
        )
        self._add(
            cw.shared_by_weights(
                LSOA21,
                LSOA11,
                lookup,
                "lsoa21_code",
                "lsoa11_code",
                pop11,
                POPULATION_LSOA11_LABEL,
                "official ONS lookup LSOA 2021 → LSOA 2011",
            )
        )
        self._add(
            cw.nesting(
                LSOA11,
                LAD22,
                lookup,
                "lsoa11_code",
                "lad22_code",
                "official ONS lookup: each LSOA 2011 lies in one LAD 2022",
            )
        )
        self._add(
            cw.nesting(
                LSOA21,
                LAD22,
                lookup,
                "lsoa21_code",
                "lad22_code",
                "official ONS lookup: each LSOA 2021 lies in one LAD 2022",
            )
        )

        self._learn(WARD22, lookup_ward22_lad22, "ward22_code", "ward22_name")
        self._learn(LAD22, lookup_ward22_lad22, "lad22_code", "lad22_name")
        self._add(
            cw.nesting(
                WARD22,
                LAD22,
                lookup_ward22_lad22,
                "ward22_code",
                "lad22_code",
                "official ONS lookup: each ward 2022 lies in one LAD 2022",
            )
        )

        if lookup_lsoa11_ward22 is None and all(
            f is not None for f in (boundaries_lsoa11, boundaries_ward22, lookup_lsoa11_ward21)
        ):
            lookup_lsoa11_ward22 = derive_lsoa11_to_ward22(
                boundaries_lsoa11, boundaries_ward22, lookup_lsoa11_ward21, lookup_ward22_lad22
            )
            self.notes.append("lookup_lsoa11_ward22 was derived from the boundaries (derive_lsoa11_to_ward22).")
        if lookup_lsoa11_ward22 is not None:
            self._add(
                cw.nesting(
                    LSOA11,
                    WARD22,
                    lookup_lsoa11_ward22,
                    "lsoa11_code",
                    "ward22_code",
                    _ward22_method(lookup_lsoa11_ward22),
                )
            )
        else:
            self.notes.append(
                "No LSOA 2011 → ward 2022 lookup: ward 2022 is reached from LSOAs only if you give "
                "lookup_lsoa11_ward22 (or the boundaries to derive it)."
            )

        if lookup_lsoa11_ward21 is not None:
            self._learn(WARD21, lookup_lsoa11_ward21, "ward21_code", "ward21_name")
            self._learn(LAD21, lookup_lsoa11_ward21, "lad21_code", "lad21_name")
            self._add(
                cw.nesting(
                    LSOA11,
                    WARD21,
                    lookup_lsoa11_ward21,
                    "lsoa11_code",
                    "ward21_code",
                    "official ONS best-fit lookup LSOA 2011 → ward 2021",
                )
            )
            self._add(
                cw.nesting(
                    WARD21,
                    LAD21,
                    lookup_lsoa11_ward21,
                    "ward21_code",
                    "lad21_code",
                    "official ONS lookup: each ward 2021 lies in one LAD 2021",
                )
            )

        if census_lsoa21 is not None:
            self._add_msoa(census_lsoa21)
        if boundaries_lad22 is not None and boundary_lcr is not None:
            self._add_combined_authority(boundaries_lad22, boundary_lcr)

    @classmethod
    def from_reader(cls, read: Callable[[str], pd.DataFrame]) -> Hierarchy:
        """Build from datasets by name, e.g. ``Hierarchy.from_reader(ck.read)``. Optional datasets that cannot be
        read (not ingested, no access) are left out and listed in ``hierarchy.notes``."""
        notes: list[str] = []

        def optional(name: str):
            try:
                return read(name)
            except CommonsError as exc:
                notes.append(f"{name} not used: {exc}")
                return None

        census = optional("census2021_ts001_residence_type")
        frames = dict(
            lookup_lsoa11_lsoa21=read("lookup_lsoa11_lsoa21"),
            lookup_ward22_lad22=read("lookup_ward22_lad22"),
            lookup_lsoa11_ward22=optional("lookup_lsoa11_ward22"),
            lookup_lsoa11_ward21=optional("lookup_lsoa11_ward21"),
            boundaries_lad22=optional("boundaries_lad22"),
            boundary_lcr=optional("boundary_lcr"),
            census_lsoa21=census,
            population_lsoa11=optional("population_mid2019_lsoa11"),
            population_lsoa21=census,
        )
        return cls(**frames, notes=tuple(notes))

    # -- what the hierarchy knows -------------------------------------------------------------------------------

    @property
    def levels(self) -> list[Level]:
        return sorted(self._codes, key=lambda level: (level.rank, level.year or 0))

    def codes(self, level: Level | str) -> pd.Index:
        """The codes of ``level``, sorted."""
        return pd.Index(sorted(self._codes.get(self.resolve(level), ())), dtype="object")

    def names(self, level: Level | str) -> pd.Series:
        """Area names of ``level`` indexed by code."""
        level = self.resolve(level)
        return pd.Series(self._names.get(level, {}), dtype="object", name=level.name_column).sort_index()

    def resolve(self, level: Level | str) -> Level:
        """``level`` with its year; a level given without one ("ward") means the latest vintage known."""
        level = parse_level(level)
        if level.year is not None:
            return level
        years = [known for known in self._codes if known.kind == level.kind]
        if not years:
            raise GeographyError(
                f"The hierarchy has no {KIND_LABELS[level.kind]} level; it has "
                f"{', '.join(known.label for known in self.levels)}."
            )
        return max(years, key=lambda known: known.year or 0)  # levels it learned all have a year

    def vintage_of(self, kind: str, codes) -> Level:
        """The latest vintage of ``kind`` that has every one of ``codes`` (else the one that has the most)."""
        wanted = set(pd.Series(list(codes), dtype="object").astype(str))
        known = [level for level in self._codes if level.kind == kind]
        if not known:
            return Level(kind)
        coverage = {level: len(wanted & self._codes[level]) for level in known}
        complete = [level for level in known if coverage[level] == len(wanted)]
        if complete:
            return max(complete, key=lambda level: level.year or 0)
        best = max(known, key=lambda level: (coverage[level], level.year))
        return best if coverage[best] else Level(kind)

    def describe(self) -> str:
        """The levels and the conversions between them, one per line."""
        lines = [f"{level.label}: {len(self._codes[level])} areas" for level in self.levels]
        for edges in self._edges.values():
            lines += [f"{edge.source.label} → {edge.target.label}: {edge.method}" for edge in edges]
        return "\n".join(lines + [f"note: {note}" for note in self.notes])

    # -- conversions ----------------------------------------------------------------------------------------------

    def crosswalk(self, source: Level | str, target: Level | str, codes=None) -> cw.Crosswalk:
        """The crosswalk from ``source`` to ``target`` (composed through the levels between, shortest first).

        ``codes`` are the source codes to convert: a vintage change is the identity when all of them exist in the
        target vintage (under the GSS policy an unchanged code is an unchanged area).
        """
        source, target = self.resolve(source), self.resolve(target)
        codes = self.codes(source) if codes is None else pd.Index(pd.unique(pd.Series(list(codes), dtype="object")))
        if source == target:
            return cw.identity(source, codes)
        starts: list[tuple[Level, cw.Crosswalk | None]] = [(source, None)]
        for other in self._codes:
            if other.kind == source.kind and other != source and set(codes) <= self._codes[other]:
                same = cw.identity(source, codes).pairs
                starts.append(
                    (
                        other,
                        cw.Crosswalk(
                            source,
                            other,
                            same,
                            method=(
                                f"the codes are {other.label} codes too "
                                "(a GSS code is retired when its boundary changes)"
                            ),
                        ),
                    )
                )
        found = self._search(starts, target)
        if found is None:
            raise GeographyError(
                f"The hierarchy cannot convert {source.label} to {target.label}. It converts upwards (LSOA → ward "
                f"→ local authority → combined authority, LSOA → MSOA) and between LSOA vintages; choose a coarser "
                f"common level, e.g. to='lad22'. Known levels: {', '.join(level.label for level in self.levels)}."
            )
        return found

    def _search(self, starts: list[tuple[Level, cw.Crosswalk | None]], target: Level) -> cw.Crosswalk | None:
        """Breadth-first: the conversion with the fewest steps."""
        queue = deque(starts)
        seen = {level for level, _ in starts}
        while queue:
            level, path = queue.popleft()
            if level == target:
                return path
            for edge in self._edges.get(level, []):
                if edge.target not in seen:
                    seen.add(edge.target)
                    queue.append((edge.target, edge if path is None else path.then(edge)))
        return None

    # -- building -------------------------------------------------------------------------------------------------

    def _add(self, edge: cw.Crosswalk) -> None:
        self._edges.setdefault(edge.source, []).append(edge)
        self._codes.setdefault(edge.source, set()).update(edge.pairs["source_code"].astype(str))
        self._codes.setdefault(edge.target, set()).update(edge.pairs["target_code"].astype(str))

    def _learn(self, level: Level, frame: pd.DataFrame, code: str, name: str) -> None:
        if code not in frame.columns:
            raise GeographyError(f"A lookup frame for {level.label} lacks column {code!r} (see docs/dev/contracts.md).")
        self._codes.setdefault(level, set()).update(frame[code].dropna().astype(str))
        if name in frame.columns:
            pairs = frame[[code, name]].dropna().drop_duplicates(code)
            self._names.setdefault(level, {}).update(zip(pairs[code].astype(str), pairs[name].astype(str), strict=True))

    def _add_msoa(self, census: pd.DataFrame) -> None:
        missing = {"area_code", "area_name", "area_level", "parent_code"} - set(census.columns)
        if missing:
            raise GeographyError(f"census_lsoa21 lacks {sorted(missing)}; give a census2021_tsNNN frame.")
        lsoas = census[census["area_level"] == "lsoa21"]
        msoas = census[census["area_level"] == "msoa21"]
        if lsoas.empty or msoas.empty:
            self.notes.append("census_lsoa21 has no LSOA and MSOA rows: no MSOA level.")
            return
        self._learn(MSOA21, msoas, "area_code", "area_name")
        self._add(
            cw.nesting(
                LSOA21,
                MSOA21,
                lsoas,
                "area_code",
                "parent_code",
                "Census 2021 parent codes: each LSOA 2021 lies in one MSOA 2021",
            )
        )
        self._add(
            cw.nesting(
                MSOA21,
                LAD22,
                msoas,
                "area_code",
                "parent_code",
                "Census 2021 parent codes: each MSOA 2021 lies in one LAD 2022",
            )
        )

    def _add_combined_authority(self, lads, combined) -> None:
        assigned = assign_by_representative_point(lads, "lad22_code", combined, "cauth22_code")
        self._learn(CAUTH22, combined, "cauth22_code", "cauth22_name")
        self._add(
            cw.nesting(
                LAD22,
                CAUTH22,
                assigned,
                "lad22_code",
                "cauth22_code",
                "each LAD 2022 in the combined authority whose boundary holds its representative point",
            )
        )


def require_hierarchy(hierarchy: Hierarchy | None) -> Hierarchy:
    """``hierarchy``, or an error saying where to get one (the functions read nothing themselves)."""
    if not isinstance(hierarchy, Hierarchy):
        raise GeographyError(
            "Give the areas' hierarchy: hierarchy=ck.hierarchy() in a notebook (built from the lookups through the "
            "data-api), or Hierarchy(lookup_lsoa11_lsoa21=..., lookup_ward22_lad22=..., ...) from frames."
        )
    return hierarchy


def _ward22_method(lookup: pd.DataFrame) -> str:
    if "method" not in lookup.columns:
        return "lookup LSOA 2011 → ward 2022 (method not recorded)"
    counts = lookup.drop_duplicates("lsoa11_code")["method"].value_counts()
    official = int(counts.get(METHOD_OFFICIAL, 0))
    spatial = int(counts.sum()) - official
    return (
        f"LSOA 2011 → ward 2022 best fit: {official} LSOAs by the official ONS lookup (ward 2021 codes still "
        f"current), {spatial} by largest polygon overlap in EPSG:27700 (wards new in 2022)"
    )


def _population(source, level: Level) -> pd.Series | None:
    """Population by code from a Series, a long frame (summed), or a Census table's LSOA rows (``total``)."""
    if source is None or isinstance(source, pd.Series):
        return source
    frame = source
    if "area_code" in frame.columns and "area_level" in frame.columns:
        frame = frame[frame["area_level"] == level.key].rename(columns={"area_code": level.code_column})
    value = next((c for c in ("population", "pop_total", "total") if c in frame.columns), None)
    if level.code_column not in frame.columns or value is None:
        raise GeographyError(
            f"population for {level.label} needs {level.code_column} and one of population, pop_total or total; "
            f"or give a Series indexed by code."
        )
    kind_of_codes(frame[level.code_column])
    return frame.groupby(level.code_column)[value].sum()
