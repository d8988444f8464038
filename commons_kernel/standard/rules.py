"""The machine-readable standard: catalog/standard/standard.yaml (the commons' rules) and profiles/fields.json
(Frictionless Table Schema field profiles), loaded once and read through one object."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from commons_kernel import config
from commons_kernel.exceptions import ConfigurationError

STANDARD_FILE = "standard.yaml"
FIELD_PROFILES_FILE = Path("profiles") / "fields.json"


def standard_dir() -> Path:
    """catalog/standard under the configured catalogue directory, or the project's own copy."""
    for candidate in (Path(config.setting("catalog_dir")) / "standard", config.PROJECT_ROOT / "catalog" / "standard"):
        if (candidate / STANDARD_FILE).is_file():
            return candidate
    raise ConfigurationError(
        f"The data standard ({STANDARD_FILE}) is missing from {config.setting('catalog_dir')}/standard and from "
        f"the project's catalog/standard. Restore it from git (`git checkout -- catalog/standard`)."
    )


@dataclass(frozen=True)
class Standard:
    raw: dict
    field_profiles: dict

    @property
    def tiers(self) -> list[str]:
        """The installed access tiers, in rank order: they come from commons_kernel/tiers/, not from this file."""
        from commons_kernel import tiers

        return list(tiers.names())

    @property
    def required_metadata(self) -> dict[str, str]:
        return dict(self.raw["required_metadata"])

    @property
    def recommended_metadata(self) -> dict[str, str]:
        return dict(self.raw["recommended_metadata"])

    @property
    def licences(self) -> dict[str, dict]:
        return dict(self.raw["licences"])

    @property
    def gss_pattern(self) -> re.Pattern:
        return re.compile(self.raw["gss"]["pattern"])

    @property
    def gss_levels(self) -> dict[str, dict]:
        return dict(self.raw["gss"]["levels"])

    @property
    def gss_name_prefixes(self) -> dict[str, str]:
        return dict(self.raw["gss"]["name_prefixes"])

    @property
    def count_units(self) -> set[str]:
        return {unit.lower() for unit in self.raw["count_units"]}

    @property
    def score_weights(self) -> dict[str, int]:
        return dict(self.raw["score_weights"])

    @property
    def limits(self) -> dict[str, int]:
        return dict(self.raw["limits"])

    @property
    def kinds(self) -> dict[str, dict]:
        return dict(self.field_profiles["kinds"])

    def is_update_frequency(self, value: str) -> bool:
        text = re.sub(r"\s*\(.*\)\s*$", "", str(value)).strip().lower()
        frequencies = self.raw["update_frequencies"]
        if text in frequencies["words"]:
            return True
        return any(re.fullmatch(pattern, text, flags=re.IGNORECASE) for pattern in frequencies["patterns"])

    def level_of_code(self, code: str) -> str | None:
        prefix = code[:3]
        for level, spec in self.gss_levels.items():
            if prefix in spec["prefixes"]:
                return level
        return None

    def example_code(self, level: str | None) -> str:
        spec = self.gss_levels.get(level or "", {})
        return spec.get("example") or self.gss_levels["lsoa"]["example"]


@lru_cache(maxsize=4)
def _load(folder: Path) -> Standard:
    try:
        raw = yaml.safe_load((folder / STANDARD_FILE).read_text(encoding="utf-8"))
        profiles = json.loads((folder / FIELD_PROFILES_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ConfigurationError(
            f"The data standard in {folder} cannot be read ({exc}). Restore it with `git checkout -- catalog/standard`."
        ) from exc
    return Standard(raw=raw, field_profiles=profiles)


def load_standard() -> Standard:
    """The data standard in force (cached per directory)."""
    return _load(standard_dir())
