"""What the data-api's handlers share: the store, the catalogue metadata, the database and the audit log."""

from __future__ import annotations

from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_hub.store import Store
import commons_kernel.catalog_module as catalog
from commons_kernel.exceptions import DatasetNotFound


class ServiceState:
    def __init__(self, home=None, catalog_dir=None, db_url=None):
        self.store = Store(home)
        self.catalog_dir = catalog_dir
        self.engine = engine(db_url)
        self.audit = AuditLog(self.engine, anchor=self.store.home / "audit.anchor")
        self._metadata = None
        self._metadata_mtime = None

    def all_metadata(self) -> dict:
        """Catalogue metadata, reloaded when a metadata file changes (contributions add files)."""
        folder = catalog.catalog_dir(self.catalog_dir) / "datasets"
        mtime = max((p.stat().st_mtime_ns for p in folder.glob("*.yaml")), default=0), len(list(folder.glob("*.yaml")))
        if self._metadata is None or mtime != self._metadata_mtime:
            self._metadata = catalog.load_metadata(self.catalog_dir)
            self._metadata.update(self.extra_metadata())
            self._metadata_mtime = mtime
        return self._metadata

    def extra_metadata(self) -> dict:
        """Metadata of datasets contributed through the commons (stored beside their data)."""
        extra = {}
        for path in sorted(self.store.root.glob("*/metadata.yaml")) if self.store.root.is_dir() else []:
            meta = catalog.parse_metadata(path, expected_name=path.parent.name)
            extra[meta.name] = meta
        return extra

    def metadata(self, name: str):
        metadata = self.all_metadata()
        if name not in metadata or name not in self.store.names():
            import difflib

            known = [n for n in metadata if n in self.store.names()]
            raise DatasetNotFound(name, difflib.get_close_matches(name, known, n=3, cutoff=0.5))
        return metadata[name]

    def is_withdrawn(self, name: str) -> bool:
        manifest = self.store.manifest(name)
        return bool(manifest.get("withdrawn"))
