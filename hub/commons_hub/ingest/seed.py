"""Reading seed files strictly: every problem names the file, the line and the fix.

The readers only read; nothing here writes to the state directory. Each fix made to a source's quirks is
recorded in ``notes`` so it reaches the dataset's provenance.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from commons_hub.store import sha256_file
from commons_kernel.exceptions import SeedFileError

BOM = "\ufeff"


@dataclass
class SeedReader:
    """Reads seed files from one directory and remembers what it read (for provenance) and fixed (for notes)."""

    seed_dir: Path
    sources: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def path(self, filename: str) -> Path:
        path = Path(self.seed_dir) / filename
        if not path.is_file():
            raise SeedFileError(
                path,
                "the file is missing.",
                fix=f"put {filename} in the seed directory (see catalog/datasets/*.yaml `source` "
                f"for its official download) or pass --seed-dir.",
            )
        self.sources.append({"file": filename, "sha256": sha256_file(path)})
        return path

    def text(self, filename: str) -> tuple[Path, str]:
        path = self.path(filename)
        raw = path.read_bytes()
        if not raw.strip():
            raise SeedFileError(path, "the file is empty.", line=1, fix="download it again.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise SeedFileError(
                path,
                f"byte 0x{raw[exc.start]:02x} at byte {column} of the line is not UTF-8.",
                line=line,
                fix="save the file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`).",
            ) from None
        if text.startswith(BOM):
            text = text[1:]
            self.notes.append(f"{filename}: dropped the UTF-8 byte-order mark.")
        return path, text

    def csv(self, filename: str, required: list[str], dtype=str) -> pd.DataFrame:
        """A CSV with every required column, every row the header's width; values as text unless told."""
        path, text = self.text(filename)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            raise SeedFileError(path, f"the header cannot be read ({exc}).", line=1) from None
        stripped = [h.strip() for h in header]
        if stripped != header:
            self.notes.append(f"{filename}: removed spaces around column names.")
        missing = [c for c in required if c not in stripped]
        if missing:
            raise SeedFileError(
                path,
                f"missing column(s) {', '.join(repr(m) for m in missing)}; the header has "
                f"{', '.join(repr(h) for h in stripped[:12])}.",
                line=1,
                fix="check this is the right file and version (the columns are listed in the dataset's metadata).",
            )
        width = len(header)
        rows = []
        try:
            for row in reader:
                if len(row) != width:
                    if not row:
                        continue
                    raise SeedFileError(
                        path,
                        f"the row has {len(row)} fields, the header {width}; the file looks truncated or "
                        f"has an unquoted comma.",
                        line=reader.line_num,
                        fix="download the file again; if it is whole, quote values that contain commas.",
                    )
                rows.append(row)
        except csv.Error as exc:
            raise SeedFileError(
                path, f"malformed CSV ({exc}).", line=reader.line_num, fix="check the quotes on this line."
            ) from None
        if not rows:
            raise SeedFileError(path, "the file has a header but no rows.", line=2, fix="download it again.")
        frame = pd.DataFrame(rows, columns=stripped)
        return frame if dtype is str else frame.astype(dtype)

    def geojson(self, filename: str, required: list[str]):
        import geopandas

        path, text = self.text(filename)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SeedFileError(
                path,
                f"not valid JSON ({exc.msg}).",
                line=exc.lineno,
                column=f"char {exc.colno}",
                fix="download the file again; it may be truncated.",
            ) from None
        features = document.get("features") if isinstance(document, dict) else None
        if not features:
            raise SeedFileError(path, "not a GeoJSON FeatureCollection with features.", line=1)
        props = set(features[0].get("properties") or {})
        missing = [c for c in required if c not in props]
        if missing:
            raise SeedFileError(
                path,
                f"features lack propert(ies) {', '.join(missing)}.",
                line=1,
                fix="check this is the right boundary file.",
            )
        declared = (document.get("crs") or {}).get("properties", {}).get("name", "")
        source_crs = "EPSG:4326"
        if declared and not any(tag in declared.upper() for tag in ("CRS84", "4326")):
            source_crs = declared  # e.g. urn:ogc:def:crs:EPSG::27700 (British National Grid)
        try:
            frame = geopandas.GeoDataFrame.from_features(features, crs=source_crs)
        except Exception as exc:  # pyproj cannot parse the declared CRS
            raise SeedFileError(
                path,
                f"the declared CRS {declared!r} is not recognised ({exc}).",
                line=1,
                fix="declare an EPSG code, e.g. urn:ogc:def:crs:EPSG::27700.",
            ) from None
        if source_crs != "EPSG:4326":
            frame = frame.to_crs("EPSG:4326")
            self.notes.append(
                f"{filename}: CRS declared {declared}; reprojected to EPSG:4326 (WGS84 longitude/latitude)."
            )
        else:
            shown = declared or "none (RFC 7946: WGS84 longitude/latitude)"
            self.notes.append(f"{filename}: CRS declared {shown}; stored as EPSG:4326 (WGS84 longitude/latitude).")
        return frame


def numbers(frame: pd.DataFrame, columns: list[str], kind, filename: str, notes: list[str], path=None):
    """Convert text columns to numbers, removing thousands separators ("29,199") and saying so in notes."""
    had_commas = []
    for column in columns:
        text = frame[column].astype(str).str.strip()
        if text.str.contains(",", regex=False).any():
            had_commas.append(column)
            text = text.str.replace(",", "", regex=False)
        converted = pd.to_numeric(text, errors="coerce")
        bad = converted.isna() & text.ne("")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise SeedFileError(
                path or filename,
                f"value {frame[column].iloc[row]!r} is not a number.",
                line=row + 2,
                column=column,
                fix="check the file is the published version.",
            )
        frame[column] = converted.astype(kind) if not converted.isna().any() else converted
    if had_commas:
        notes.append(f'{filename}: removed thousands separators (e.g. "29,199") from {", ".join(had_commas)}.')
    return frame


def expect_codes(frame: pd.DataFrame, column: str, expected: int, filename: str, what: str) -> None:
    """The LCR extract must cover exactly the expected number of distinct areas."""
    found = frame[column].nunique()
    if found != expected:
        raise SeedFileError(
            filename,
            f"covers {found} distinct {what} in column {column!r}; the Liverpool City Region has "
            f"{expected}. The file looks truncated or filtered differently.",
            fix="download it again from the official source named in the dataset's metadata.",
        )
