"""`commons init`: ingest the seed directory into the store, all or nothing.

1. Fingerprint every dataset from its seed files' sha256, its builder's version and its inputs' fingerprints.
2. Build, in memory, only the datasets whose fingerprint differs from their latest version.
3. Check each built table against the columns its metadata declares.
4. Stage every new version to hidden files, then commit them (rename into place, replace the manifest).
A bad seed file fails in step 1-3, before anything is written, so the state directory is left as it was.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

# Importing the builder modules registers them.
from commons_hub.ingest import census, deprivation, geography, people, synthetic  # noqa: F401
from commons_hub.ingest.registry import BUILDERS, Builder
from commons_hub.ingest.seed import SeedReader
from commons_hub.store import Store, sha256_file
from commons_kernel.catalog import load_metadata
from commons_kernel.exceptions import CommonsError, SeedFileError


@dataclass
class IngestResult:
    created: list[str]
    unchanged: list[str]

    def summary(self) -> str:
        return (
            f"{len(self.created)} dataset version(s) created"
            + (f" ({', '.join(self.created)})" if self.created else "")
            + f", {len(self.unchanged)} unchanged."
        )


def build_order() -> list[Builder]:
    ordered, seen = [], set()

    def visit(name, trail=()):
        if name in seen:
            return
        if name in trail:
            raise CommonsError(f"Builders depend on each other in a circle: {' → '.join(trail + (name,))}")
        for need in BUILDERS[name].needs:
            visit(need, trail + (name,))
        seen.add(name)
        ordered.append(BUILDERS[name])

    for name in BUILDERS:
        visit(name)
    return ordered


def fingerprints(seed_dir: Path) -> dict[str, str]:
    probe = SeedReader(seed_dir)
    result: dict[str, str] = {}
    for item in build_order():
        parts = [item.name, str(item.version)]
        parts += [f"{f}={sha256_file(probe.path(f))}" for f in item.files]
        parts += [f"{n}={result[n]}" for n in item.needs]
        result[item.name] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return result


def to_arrow(frame) -> pa.Table:
    import geopandas

    if isinstance(frame, geopandas.GeoDataFrame):
        from geopandas.io.arrow import _geopandas_to_arrow

        return _geopandas_to_arrow(frame, index=False)
    return pa.Table.from_pandas(frame, preserve_index=False)


def check_columns(name: str, frame, metadata) -> None:
    declared = [c["name"] for c in metadata.columns]
    actual = list(frame.columns)
    if declared != actual:
        raise CommonsError(
            f"Dataset {name!r}: built columns {actual} differ from catalog/datasets/{name}.yaml {declared}. "
            f"Update the metadata's `columns` (or the builder) so they agree."
        )


def ingest(seed_dir: Path, home: Path | None = None, catalog_dir: Path | None = None) -> IngestResult:
    seed_dir = Path(seed_dir)
    if not seed_dir.is_dir():
        raise SeedFileError(
            seed_dir,
            "the seed directory does not exist.",
            fix="pass --seed-dir DIR (a folder of the files listed in ../shared/data/SOURCES.md).",
        )
    store = Store(home)
    store.sweep_staged()
    metadata = load_metadata(catalog_dir)
    missing_meta = sorted(set(BUILDERS) - set(metadata))
    if missing_meta:
        raise CommonsError(f"No metadata file for {', '.join(missing_meta)}: add catalog/datasets/NAME.yaml.")
    prints = fingerprints(seed_dir)
    frames: dict[str, object] = {}
    built: dict[str, tuple] = {}
    unchanged: list[str] = []
    for item in build_order():
        latest = _latest(store, item.name)
        if latest and latest.get("fingerprint") == prints[item.name]:
            unchanged.append(item.name)
            continue
        inputs = {need: frames[need] if need in frames else store.read(need) for need in item.needs}
        reader = SeedReader(seed_dir)
        result = item.build(reader, inputs)
        check_columns(item.name, result.frame, metadata[item.name])
        frames[item.name] = result.frame
        built[item.name] = (result, reader.sources)
    staged = []
    try:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for name, (result, sources) in built.items():
            entry = {
                "fingerprint": prints[name],
                "ingested_at": now,
                "sources": sources,
                "notes": _dedupe(result.notes),
                "builder_version": BUILDERS[name].version,
                "synthetic": BUILDERS[name].synthetic,
            }
            staged.append(store.stage(name, to_arrow(result.frame), entry))
    except BaseException:
        for version in staged:
            store.discard(version)
        raise
    for version in staged:
        store.commit(version)
    return IngestResult(created=list(built), unchanged=unchanged)


def _latest(store: Store, name: str) -> dict | None:
    try:
        return store.manifest(name)["versions"][-1]
    except (CommonsError, IndexError, json.JSONDecodeError):
        return None


def _dedupe(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))
