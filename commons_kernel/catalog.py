"""The catalogue model: one metadata file per dataset in catalog/datasets/, and keyword search over it.

Metadata of every tier is public (the register shows it). Data is not: reading goes through the data-api.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from commons_kernel import config, tiers
from commons_kernel.exceptions import DatasetNotFound, ValidationFailed

REQUIRED = (
    "name",
    "title",
    "description",
    "publisher",
    "licence",
    "attribution",
    "tier",
    "geography",
    "columns",
    "source",
)


@dataclass
class DatasetMetadata:
    name: str
    title: str
    description: str
    publisher: str
    licence: str
    attribution: str
    tier: str
    geography: dict
    columns: list[dict]
    source: dict
    licence_url: str = ""
    contact: str = ""
    synthetic: bool = False
    period: str = ""
    update_frequency: str = ""
    tags: list[str] = field(default_factory=list)
    owner: str | None = None
    quality_notes: list[str] = field(default_factory=list)
    disclosure: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> DatasetMetadata:
        """The metadata in a data-api record (``GET api/datasets``), which carries more (version, rows, ...)."""
        return cls(**{key: value for key, value in record.items() if key in cls.__dataclass_fields__})

    @property
    def geography_label(self) -> str:
        return self.geography.get("vintage") or self.geography.get("level", "")

    def column(self, name: str) -> dict:
        for column in self.columns:
            if column["name"] == name:
                return column
        raise KeyError(name)


def __getattr__(name: str) -> tuple[str, ...]:
    if name == "TIERS":  # the installed tiers' names, as before: asked of the registry when used, not at import
        return tiers.names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def catalog_dir(path: Path | str | None = None) -> Path:
    return Path(path or config.setting("catalog_dir"))


def metadata_files(path: Path | str | None = None) -> list[Path]:
    """The catalogue's own metadata files, ``catalog/datasets/*.yaml``, in name order."""
    return sorted((catalog_dir(path) / "datasets").glob("*.yaml"))


def load_metadata(
    path: Path | str | None = None,
    contributed: Iterable[Path] = (),
    on_invalid: Callable[[Path, ValidationFailed], None] | None = None,
) -> dict[str, DatasetMetadata]:
    """Every dataset's metadata, by name: the one catalogue loader.

    ``catalog/datasets/*.yaml`` first, then each contributed ``<name>/metadata.yaml`` in ``contributed`` (the
    store's, ``Store.contributed_metadata_files()``; named by its folder, and it wins over a catalogue file of the
    same name). A file that breaks the rules raises ValidationFailed naming it, unless ``on_invalid`` is given: a
    contributed file is then left out and ``on_invalid(path, error)`` told (one bad upload must not take a
    service down). The catalogue's own files always raise: they are the repository's, fixed before a release.
    """
    result = {}
    for file in metadata_files(path):
        meta = parse_metadata(file)
        result[meta.name] = meta
    for file in contributed:
        try:
            meta = parse_metadata(file, expected_name=file.parent.name)
        except ValidationFailed as exc:
            if on_invalid is None:
                raise
            on_invalid(file, exc)
            continue
        result[meta.name] = meta
    return result


def parse_metadata(file: Path, expected_name: str | None = None) -> DatasetMetadata:
    """One metadata file; its ``name`` must equal ``expected_name`` (default: the file name without .yaml)."""
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValidationFailed(f"{file}{where}: not valid YAML ({exc}).") from None
    missing = [key for key in REQUIRED if not raw or key not in raw]
    if missing:
        raise ValidationFailed(f"{file}: missing required field(s) {', '.join(missing)}.")
    if tiers.find(raw["tier"]) is None:  # the tiers come from commons_kernel/tiers/ (entry points)
        raise ValidationFailed(f"{file}: tier {raw['tier']!r} is not one of {', '.join(tiers.names())}.")
    expected_name = expected_name or file.stem
    if raw["name"] != expected_name:
        raise ValidationFailed(f"{file}: name {raw['name']!r} must equal {expected_name!r} (the file or folder name).")
    known = set(DatasetMetadata.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValidationFailed(
            f"{file}: unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}."
        )
    return DatasetMetadata(**raw)


def get(name: str, metadata: dict[str, DatasetMetadata] | None = None) -> DatasetMetadata:
    metadata = metadata if metadata is not None else load_metadata()
    try:
        return metadata[name]
    except KeyError:
        import difflib

        raise DatasetNotFound(name, difflib.get_close_matches(name, list(metadata), n=3, cutoff=0.5)) from None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def search(text: str, metadata: dict[str, DatasetMetadata] | None = None, limit: int = 10) -> list[tuple[str, float]]:
    """Datasets ranked by keyword match over title, description, tags and column descriptions.

    Weights: title 3, tags 2, name 2, description 1, columns 0.5 per matching word. Returns (name, score).
    """
    metadata = metadata if metadata is not None else load_metadata()
    query = [w for w in _words(text) if len(w) > 1]
    if not query:
        return []
    scored = []
    for meta in metadata.values():
        fields = [
            (3.0, meta.title),
            (2.0, " ".join(meta.tags)),
            (2.0, meta.name.replace("_", " ")),
            (1.0, meta.description),
            (0.5, " ".join(f"{c['name'].replace('_', ' ')} {c.get('description', '')}" for c in meta.columns)),
        ]
        score = 0.0
        for weight, value in fields:
            words = set(_words(value))
            score += weight * sum(
                1 for w in query if w in words or (len(w) > 4 and any(x.startswith(w) for x in words))
            )
        if score:
            scored.append((meta.name, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]
