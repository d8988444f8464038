"""Artefacts: the small tables (and map outlines) a story computes once per refresh, and the disclosure rule.

A story's ``compute(read)`` returns ``{name: Artefact}``. The refresher's first Papermill run saves them raw
(``save``); ``disclose`` then writes the published set: every count column through
``commons_kernel.disclosure.suppress_small_counts`` (columns derived from a count are blanked with it), and map
outlines stripped of every property but the area code and name. This module is the one place the rule lives:
the refresher calls it on every run, and a story run by hand calls it too, so a page never shows a raw count.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from commons_kernel.exceptions import DisclosureRisk, ValidationFailed

MANIFEST = "artefacts.json"
OUTLINE_PROPERTIES = ("code", "name")


@dataclass
class Artefact:
    """A table a story publishes. ``counts``: columns holding counts of people or records (checked);
    ``derived``: {column: count column} for percentages and rates blanked with their count; ``outline``: a GeoJSON
    FeatureCollection of area outlines instead of a table."""

    frame: pd.DataFrame | None = None
    counts: list[str] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)
    outline: dict | None = None

    def spec(self) -> dict:
        return {
            "kind": "outline" if self.outline is not None else "table",
            "counts": list(self.counts),
            "derived": dict(self.derived),
        }


def save(artefacts: dict[str, Artefact], folder: Path | str, sources: list[dict] | None = None) -> Path:
    """Write artefacts (Parquet for tables, GeoJSON for outlines) and their manifest into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"artefacts": {}, "sources": sources or []}
    for name, artefact in artefacts.items():
        if artefact.outline is not None:
            (folder / f"{name}.geojson").write_text(json.dumps(artefact.outline, separators=(",", ":")))
        else:
            if artefact.frame is None:
                raise ValidationFailed(f"artefact {name!r} has neither a frame nor an outline.")
            artefact.frame.reset_index(drop=True).to_parquet(folder / f"{name}.parquet", index=False)
        manifest["artefacts"][name] = artefact.spec()
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return folder


def load(folder: Path | str) -> dict:
    """``{name: DataFrame or GeoJSON dict, ..., "sources": [...]}`` from a folder written by ``save``."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise ValidationFailed(f"{folder} holds no {MANIFEST}: it is not a folder of story artefacts.")
    manifest = json.loads(manifest_path.read_text())
    data: dict = {"sources": manifest.get("sources", [])}
    for name, spec in manifest["artefacts"].items():
        if spec["kind"] == "outline":
            data[name] = json.loads((folder / f"{name}.geojson").read_text())
        else:
            data[name] = pd.read_parquet(folder / f"{name}.parquet")
    return data


def _strip_outline(outline: dict) -> dict:
    features = []
    for feature in outline.get("features", []):
        properties = {k: v for k, v in (feature.get("properties") or {}).items() if k in OUTLINE_PROPERTIES}
        features.append(
            {"type": "Feature", "id": feature.get("id"), "properties": properties, "geometry": feature.get("geometry")}
        )
    return {"type": "FeatureCollection", "features": features}


def disclose_one(name: str, artefact: Artefact) -> tuple[Artefact, dict]:
    """The rule on one artefact: (the publishable artefact, a short report)."""
    from commons_kernel.disclosure import suppress_small_counts

    if artefact.outline is not None:
        return Artefact(outline=_strip_outline(artefact.outline)), {
            "artefact": name,
            "kind": "outline",
            "suppressed_cells": 0,
        }
    frame = artefact.frame
    if not artefact.counts:
        return artefact, {"artefact": name, "kind": "table", "suppressed_cells": 0, "checked": []}
    if frame is None:
        raise ValidationFailed(f"artefact {name!r} has counts {artefact.counts} but no frame to check them in.")
    suppressed, report = suppress_small_counts(
        frame, artefact.counts, derived_columns=artefact.derived, label=f"story artefact {name}"
    )
    before = int(frame[artefact.counts].isna().sum().sum())
    after = int(suppressed[artefact.counts].isna().sum().sum())
    return (
        Artefact(suppressed, list(artefact.counts), dict(artefact.derived)),
        {
            "artefact": name,
            "kind": "table",
            "suppressed_cells": after - before,
            "checked": list(artefact.counts),
            "summary": str(report.summary) if hasattr(report, "summary") else "",
        },
    )


def disclose_all(artefacts: dict[str, Artefact]) -> tuple[dict[str, Artefact], list[dict]]:
    out, reports = {}, []
    for name, artefact in artefacts.items():
        out[name], report = disclose_one(name, artefact)
        reports.append(report)
    return out, reports


def read_raw(folder: Path | str) -> tuple[dict[str, Artefact], list[dict]]:
    """Artefacts as ``Artefact`` objects (with their specs) and the sources, from a folder written by ``save``."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    out = {}
    for name, spec in manifest["artefacts"].items():
        if spec["kind"] == "outline":
            out[name] = Artefact(outline=json.loads((folder / f"{name}.geojson").read_text()))
        else:
            out[name] = Artefact(pd.read_parquet(folder / f"{name}.parquet"), spec["counts"], spec["derived"])
    return out, manifest.get("sources", [])


def disclose(raw_folder: Path | str, out_folder: Path | str) -> list[dict]:
    """Read every raw artefact, apply the rule, write the publishable set. Files the manifest does not declare
    are refused: nothing reaches a page without passing here."""
    raw_folder, out_folder = Path(raw_folder), Path(out_folder)
    declared = {MANIFEST}
    manifest = json.loads((raw_folder / MANIFEST).read_text())
    for name, spec in manifest["artefacts"].items():
        declared.add(f"{name}.geojson" if spec["kind"] == "outline" else f"{name}.parquet")
    stray = sorted(p.name for p in raw_folder.iterdir() if p.name not in declared)
    if stray:
        raise DisclosureRisk(
            f"{raw_folder} holds files no artefact declares ({', '.join(stray)}); a story writes "
            f"only through commons_kernel.stories.artefacts.save so each one is checked."
        )
    artefacts, sources = read_raw(raw_folder)
    published, reports = disclose_all(artefacts)
    if out_folder.exists():
        shutil.rmtree(out_folder)
    save(published, out_folder, sources)
    return reports
