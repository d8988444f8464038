"""Places in a question: GSS codes (level from the prefix) and ward or borough names (to codes).

The gazetteer takes a frame shaped like the ``lookup_ward22_lad22`` dataset (ward22_code, ward22_name, lad22_code,
lad22_name), so the product can feed it the ingested dataset; ``from_seed_lookup`` reads the ONS seed file instead.
Only the six boroughs and the combined authority are written down here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from commons_kernel import config

LCR_AUTHORITIES = {
    "E06000006": "Halton",
    "E08000011": "Knowsley",
    "E08000012": "Liverpool",
    "E08000013": "St Helens",
    "E08000014": "Sefton",
    "E08000015": "Wirral",
}
COMBINED_AUTHORITY = ("E47000004", "Liverpool City Region")
SEED_WARD_LOOKUP = "lookup_wd22_lad22_cty_rgn_ctry_lcr.csv"

GSS_LEVELS = {
    "E00": "oa",
    "E01": "lsoa",
    "E02": "msoa",
    "E05": "ward",
    "E06": "lad",
    "E07": "lad",
    "E08": "lad",
    "E09": "lad",
    "E10": "county",
    "E11": "county",
    "E12": "region",
    "E47": "cauth",
    "E92": "country",
    "W01": "lsoa",
    "W02": "msoa",
    "W05": "ward",
    "W06": "lad",
}
LEVEL_WORDS = {
    "oa": "an output area",
    "lsoa": "an LSOA (small area)",
    "msoa": "an MSOA",
    "ward": "an electoral ward",
    "lad": "a local authority (borough)",
    "county": "a county",
    "region": "a region",
    "cauth": "a combined authority",
    "country": "a country",
}
GSS_CODE = re.compile(r"\b([EW]\d{2})(\d{6})\b", re.IGNORECASE)

# Ward names that are also everyday words match only when written with a capital letter.
EVERYDAY_WORDS = {
    "central",
    "park",
    "church",
    "manor",
    "county",
    "ford",
    "grange",
    "victoria",
    "derby",
    "cambridge",
    "riverside",
    "kew",
    "norwood",
    "upton",
    "eastham",
    "parr",
    "windle",
    "appleton",
    "roby",
}


@dataclass(frozen=True)
class Place:
    name: str
    code: str
    level: str  # a GSS_LEVELS value
    vintage: str = ""  # e.g. "December 2022" for wards
    parent_code: str = ""
    parent_name: str = ""

    def describe(self) -> str:
        known = f"{self.name} ({self.code})" if self.name else self.code
        text = f"{known} is {LEVEL_WORDS.get(self.level, 'a ' + self.level)}"
        if self.vintage:
            text += f" ({self.vintage} boundaries)"
        if self.parent_name:
            text += f" in {self.parent_name} ({self.parent_code})"
        return text


def gss_level(code: str) -> str | None:
    """The geography level of a GSS code from its prefix (E01 → lsoa, E05 → ward...), or None if not a GSS code."""
    match = GSS_CODE.fullmatch(code.strip())
    return GSS_LEVELS.get(match.group(1).upper()) if match else None


def _normalise(text: str) -> str:
    text = text.replace("&", " and ").replace("-", " ")
    text = re.sub(r"[.'’,]", "", text)
    return re.sub(r"\s+", " ", text).strip()


class Gazetteer:
    """Finds places in free text. ``wards`` is a frame like ``lookup_ward22_lad22``; None means boroughs only."""

    def __init__(self, wards=None, ward_vintage: str = "December 2022"):
        self._places: dict[str, Place] = {}
        self._names: dict[str, list[Place]] = {}
        for code, name in LCR_AUTHORITIES.items():
            self._add(Place(name, code, "lad", "", *COMBINED_AUTHORITY))
        self._add(Place(COMBINED_AUTHORITY[1], COMBINED_AUTHORITY[0], "cauth"))
        if wards is not None:
            for row in wards[["ward22_code", "ward22_name", "lad22_code"]].itertuples(index=False):
                parent = LCR_AUTHORITIES.get(row.lad22_code, "")
                self._add(Place(row.ward22_name, row.ward22_code, "ward", ward_vintage, row.lad22_code, parent))
        # Longest names first, so "St Helens Town Centre" wins over "St Helens".
        self._patterns = sorted(self._names, key=len, reverse=True)

    @classmethod
    def from_seed_lookup(cls, path: Path | str) -> Gazetteer:
        """Read the ONS ward-to-LAD lookup seed file (WD22CD, WD22NM, LAD22CD, LAD22NM)."""
        import pandas as pd

        frame = pd.read_csv(path, dtype=str, usecols=["WD22CD", "WD22NM", "LAD22CD", "LAD22NM"])
        return cls(
            frame.rename(
                columns={
                    "WD22CD": "ward22_code",
                    "WD22NM": "ward22_name",
                    "LAD22CD": "lad22_code",
                    "LAD22NM": "lad22_name",
                }
            )
        )

    @classmethod
    def default(cls) -> Gazetteer:
        """Wards from the seed lookup when the seed directory has it, else the six boroughs only."""
        seed = Path(config.setting("seed_dir") or ".") / SEED_WARD_LOOKUP
        return cls.from_seed_lookup(seed) if config.setting("seed_dir") and seed.is_file() else cls()

    def _add(self, place: Place) -> None:
        self._places[place.code] = place
        self._names.setdefault(_normalise(place.name).lower(), []).append(place)

    def by_code(self, code: str) -> Place | None:
        """The named place for a code, or a bare place with its level when the code is a GSS code we do not name."""
        code = code.upper()
        if code in self._places:
            return self._places[code]
        level = gss_level(code)
        return Place("", code, level) if level else None

    def find(self, text: str) -> list[Place]:
        """Places mentioned in ``text``, in order of appearance: GSS codes first, then names."""
        found: list[tuple[int, Place]] = []
        for match in GSS_CODE.finditer(text):
            place = self.by_code(match.group(0))
            if place:
                found.append((match.start(), place))
        plain = _normalise(text)
        lowered = plain.lower()
        taken = [False] * len(plain)
        for pattern in self._patterns:
            for match in re.finditer(rf"\b{re.escape(pattern)}\b", lowered):
                start, end = match.span()
                if any(taken[start:end]):
                    continue
                if pattern in EVERYDAY_WORDS and not plain[start].isupper():
                    continue
                taken[start:end] = [True] * (end - start)
                found.extend((start, place) for place in self._names[pattern])
        found.sort(key=lambda item: item[0])
        unique: dict[str, Place] = {}
        for _, place in found:
            unique.setdefault(place.code, place)
        return list(unique.values())


PLACE_CUE = re.compile(
    r"\b(?:in|for|near|around|across|covering|cover|about|of)\s+((?:[A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*)*)"
)


def place_like_phrases(text: str) -> list[str]:
    """Capitalised phrases after "in", "for", "near"... that might be place names (e.g. "Bootle" in "poverty in
    Bootle"); the caller drops the ones it recognises. Acronyms (IMD, LSOA) are not place names."""
    phrases = []
    for match in PLACE_CUE.finditer(text):
        words = [w for w in match.group(1).split() if not (w.isupper() and len(w) > 1)]
        if words:
            phrases.append(" ".join(words))
    return phrases
