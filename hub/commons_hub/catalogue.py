"""The catalogue the services serve: the repository's metadata files and the store's contributed ones.

One loader reads both, ``commons_kernel.catalog.load_metadata`` (``catalog/datasets/*.yaml``, then each
``Store.contributed_metadata_files()``); this class only keeps what it read until one of those files changes.
The data-api (``services/data_api/state.py``) and the register (``services/register/data.py``) each hold one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from commons_hub.store import Store
from commons_kernel.catalog import DatasetMetadata, load_metadata, metadata_files
from commons_kernel.exceptions import ValidationFailed

log = logging.getLogger(__name__)


def skip_and_warn(path: Path, error: ValidationFailed) -> None:
    """For ``on_invalid``: leave a broken contributed metadata file out, and say so in the log."""
    log.warning("skipping %s: %s", path, error)


class Catalogue:
    """Metadata of every dataset, by name, reloaded when a metadata file is added, removed or replaced.

    ``recheck_seconds``: how long a reading is trusted before the files are looked at again (0: at every call).
    ``on_invalid``: what to do with a contributed file that breaks the rules (default: raise ValidationFailed).
    """

    def __init__(
        self,
        store: Store,
        catalog_dir: Path | str | None = None,
        *,
        on_invalid: Callable[[Path, ValidationFailed], None] | None = None,
        recheck_seconds: float = 0.0,
    ):
        self.store, self.catalog_dir = store, catalog_dir
        self.on_invalid, self.recheck_seconds = on_invalid, recheck_seconds
        self._lock = threading.Lock()
        self._metadata: dict[str, DatasetMetadata] | None = None
        self._contributed: set[str] = set()
        self._key: tuple | None = None
        self._checked = 0.0

    def all(self) -> dict[str, DatasetMetadata]:
        """Every metadata file's dataset (seed and contributed), whether or not the store holds it yet."""
        with self._lock:
            now = time.monotonic()
            if self._metadata is not None and now - self._checked < self.recheck_seconds:
                return self._metadata
            self._checked = now
            contributed = self.store.contributed_metadata_files()
            key = _stamp([*metadata_files(self.catalog_dir), *contributed])
            if self._metadata is None or key != self._key:
                self._metadata = load_metadata(self.catalog_dir, contributed, self.on_invalid)
                self._contributed = {path.parent.name for path in contributed}
                self._key = key
            return self._metadata

    def stored(self) -> dict[str, DatasetMetadata]:
        """The datasets the store holds, by name in name order: what readers and the register see."""
        metadata, names = self.all(), set(self.store.names())
        return {name: meta for name, meta in sorted(metadata.items()) if name in names}

    def contributed(self) -> dict[str, DatasetMetadata]:
        """The datasets contributed through the commons (their metadata is kept beside their data)."""
        metadata = self.all()
        return {name: metadata[name] for name in sorted(self._contributed) if name in metadata}

    def forget(self) -> None:
        """Read the files again at the next call (after an approval wrote a metadata file)."""
        with self._lock:
            self._metadata, self._key = None, None


def _stamp(files: list[Path]) -> tuple:
    """Which files there are and when each was last replaced: changes whenever the catalogue may have."""
    stamps: list[tuple[str, int | None]] = []
    for path in files:
        try:
            stamps.append((str(path), path.stat().st_mtime_ns))
        except FileNotFoundError:  # removed since it was listed: the next call sees it gone
            stamps.append((str(path), None))
    return tuple(stamps)
