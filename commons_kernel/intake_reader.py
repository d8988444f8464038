"""The governed Intake reader: ``intake.from_yaml_file(...)`` then ``.read()`` goes through the data-api.

Registered with Intake through the ``intake.imports`` entry point, so a plain Intake user in a kernel reads
through the same gate, with the same audit entry, as ``ck.read``.
"""

from __future__ import annotations

from pathlib import Path

from intake.readers.readers import BaseReader

from commons_kernel import config


class GovernedReader(BaseReader):
    """Reads one commons dataset through the data-api (arguments as ``commons_kernel.read``)."""

    imports = {"pandas", "pyarrow", "requests"}
    output_instance = "pandas:DataFrame"
    func = "commons_kernel.api:read"

    def _read(
        self,
        dataset: str,
        project: str | None = None,
        columns: list[str] | None = None,
        version: int | None = None,
        where: dict | None = None,
        purpose: str | None = None,
        **_ignored,
    ):
        from commons_kernel.api import read

        return read(dataset, project=project, columns=columns, version=version, where=where, purpose=purpose)


def catalog_path() -> Path:
    """Path of the commons' Intake catalogue (catalog/catalog.yaml)."""
    return Path(config.setting("catalog_dir")) / "catalog.yaml"


def build_catalog(metadata: dict):
    """The Intake 2 catalogue: one GovernedReader entry per dataset, carrying its metadata."""
    from intake.readers.entry import Catalog

    cat = Catalog(
        metadata={
            "title": "LCR Data Commons",
            "description": "Governed datasets of the Liverpool City Region Data Commons. Every read goes through "
            "the data-api and is logged.",
        }
    )
    for name, meta in sorted(metadata.items()):
        reader = GovernedReader(
            dataset=name,
            metadata={k: v for k, v in meta.to_dict().items() if k not in ("columns", "source", "quality_notes")},
        )
        cat[name] = reader
    return cat
