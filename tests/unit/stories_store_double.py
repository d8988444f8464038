"""Test double: a `commons_kernel`-shaped reader over an ingested store, so a story's compute and sections run in
a unit test without a hub. The real path (the data-api, audited) is exercised by the notebooks tier."""

from __future__ import annotations

from commons_hub.store import Store
from commons_kernel.catalog import load_metadata


class StoreKernel:
    """``read``, ``hierarchy``, ``describe`` and ``deprivation_summary`` as ``commons_kernel`` offers them."""

    def __init__(self, home):
        self.store = Store(home)
        self.metadata = load_metadata()
        self._hierarchy = None

    def read(self, name, columns=None):
        frame = self.store.read(name)
        return frame[columns] if columns else frame

    def hierarchy(self):
        from commons_kernel.geography import Hierarchy

        if self._hierarchy is None:
            self._hierarchy = Hierarchy.from_reader(self.read)
        return self._hierarchy

    def describe(self, name):
        meta = self.metadata[name]
        return {
            "name": name,
            "title": meta.title,
            "publisher": meta.publisher,
            "licence": meta.licence,
            "licence_url": meta.licence_url,
            "attribution": meta.attribution,
            "synthetic": meta.synthetic,
            "version": len(self.store.manifest(name)["versions"]),
            "period": meta.period,
        }

    def deprivation_summary(self, frame, to="lad", **kwargs):
        from commons_kernel.geography.deprivation_summary import deprivation_summary

        if isinstance(to, str):
            kwargs.setdefault("hierarchy", self.hierarchy())
        return deprivation_summary(frame, to, **kwargs)
