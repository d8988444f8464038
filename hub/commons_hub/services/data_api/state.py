"""What the data-api's handlers share: the store, the catalogue metadata, the database and the audit log."""

from __future__ import annotations

from commons_hub.audit import AuditLog
from commons_hub.catalogue import Catalogue
from commons_hub.db import engine
from commons_hub.recovery import sweep_leftovers
from commons_hub.store import Store, pick_version
from commons_kernel.exceptions import DatasetNotFound


class ServiceState:
    def __init__(self, home=None, catalog_dir=None, db_url=None):
        self.store = Store(home)
        self.catalog_dir = catalog_dir
        self.engine = engine(db_url)
        self.audit = AuditLog(self.engine, anchor=self.store.home / "audit.anchor")
        # Before serving: complete what a crash left committed, remove what it left uncommitted.
        self.swept = sweep_leftovers(self.store.home, self.engine)
        # Reloaded at most once a second when a metadata file changed (contributions add theirs to the store).
        self.catalogue = Catalogue(self.store, catalog_dir, recheck_seconds=1.0)
        self._manifests: dict[str, tuple[int, dict]] = {}

    def all_metadata(self) -> dict:
        """Catalogue metadata of every dataset (seed and contributed), by name."""
        return self.catalogue.all()

    def extra_metadata(self) -> dict:
        """Metadata of datasets contributed through the commons (stored beside their data)."""
        return self.catalogue.contributed()

    def manifest(self, name: str) -> dict:
        """The dataset's manifest, re-read only when its file changed (a stat per request, not a parse)."""
        mtime = self.store.manifest_stamp(name)
        if mtime is None:
            raise DatasetNotFound(name, self._close(name))
        cached = self._manifests.get(name)
        if cached is None or cached[0] != mtime:
            cached = (mtime, self.store.manifest(name))
            self._manifests[name] = cached
        return cached[1]

    def version_entry(self, name: str, version: int | None = None) -> dict:
        return pick_version(name, self.manifest(name), version)

    def metadata(self, name: str):
        metadata = self.all_metadata()
        if name not in metadata or not self.store.has(name):
            raise DatasetNotFound(name, self._close(name))
        return metadata[name]

    def _close(self, name: str) -> list[str]:
        import difflib

        known = [n for n in self.all_metadata() if n in self.store.names()]
        return difflib.get_close_matches(name, known, n=3, cutoff=0.5)

    def is_withdrawn(self, name: str) -> bool:
        return bool(self.manifest(name).get("withdrawn"))
