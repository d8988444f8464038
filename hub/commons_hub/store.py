"""The dataset store: one immutable Parquet (GeoParquet) file per dataset version, plus a manifest.

Layout under the state directory::

    datasets/<name>/v0001.parquet      immutable; never rewritten
    datasets/<name>/v0001.arrow        the same table as an uncompressed Arrow IPC stream, served as-is
    datasets/<name>/manifest.json      versions, sha256, provenance; replaced atomically

A version is readable only once the manifest lists it: files are staged under hidden names, renamed into place,
and then the manifest is replaced (under ``store.lock``). A file the manifest does not list was never readable;
``sweep`` removes such leftovers at start.

Only the data-api service (and operators' commands) read this directory. Kernels read through the data-api.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from commons_kernel import config
from commons_kernel.frames import table_to_frame
from commons_kernel.exceptions import DatasetNotFound

_MANIFEST_LOCK = threading.Lock()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, value) -> None:
    atomic_write_bytes(path, (json.dumps(value, indent=2, sort_keys=True, default=str) + "\n").encode())


@dataclass(frozen=True)
class StagedVersion:
    """A new version written to temporary files, not yet visible. ``commit`` makes it visible."""

    name: str
    parquet_tmp: Path
    arrow_tmp: Path
    entry: dict


class Store:
    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home else config.home()
        self.root = self.home / "datasets"

    # reading -----------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob("*/manifest.json"))

    def manifest(self, name: str) -> dict:
        path = self.root / name / "manifest.json"
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            raise DatasetNotFound(name, self._close(name)) from None

    def version_entry(self, name: str, version: int | None = None) -> dict:
        return pick_version(name, self.manifest(name), version)

    def parquet_path(self, name: str, version: int | None = None) -> Path:
        return self.root / name / self.version_entry(name, version)["file"]

    def arrow_path(self, name: str, version: int | None = None) -> Path:
        return self.parquet_path(name, version).with_suffix(".arrow")

    def read_table(self, name: str, version: int | None = None, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.parquet_path(name, version), columns=columns)

    def read(self, name: str, version: int | None = None, columns: list[str] | None = None):
        """A pandas DataFrame, or a GeoDataFrame when the dataset has a geometry column."""
        return table_to_frame(self.read_table(name, version, columns))

    def _close(self, name: str) -> list[str]:
        import difflib

        return difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)

    # writing -----------------------------------------------------------------------------------------
    def stage(self, name: str, table: pa.Table, entry: dict) -> StagedVersion:
        """Write a new version to hidden temporary files beside its final place."""
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        fd, parquet_tmp = tempfile.mkstemp(dir=folder, prefix=".staged.", suffix=".parquet")
        os.close(fd)
        pq.write_table(table, parquet_tmp, compression="zstd")
        arrow_tmp = Path(parquet_tmp).with_suffix(".arrow")
        with pa.OSFile(str(arrow_tmp), "wb") as sink, ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=64 * 1024)
        entry = dict(entry, sha256=sha256_file(Path(parquet_tmp)), rows=table.num_rows,
                     bytes=Path(parquet_tmp).stat().st_size)
        return StagedVersion(name, Path(parquet_tmp), arrow_tmp, entry)

    def commit(self, staged: StagedVersion) -> dict:
        """Make staged files the dataset's next version (ingest: a version needs no decision first)."""
        with self._lock():
            versions = self._manifest_or_new(staged.name)["versions"]
            return self._publish(staged, (versions[-1]["version"] + 1) if versions else 1)

    def publish(self, staged: StagedVersion, version: int) -> dict:
        """Make staged files version ``version``, a number decided (and recorded) before: rename them into place,
        then add the version to the manifest, the one switch readers see. Repeatable: when the manifest already
        lists that version for the same contribution, the staged copy is dropped and the listed entry returned."""
        with self._lock():
            return self._publish(staged, int(version))

    def _publish(self, staged: StagedVersion, number: int) -> dict:
        folder = self.root / staged.name
        manifest = self._manifest_or_new(staged.name)
        listed = next((v for v in manifest["versions"] if v["version"] == number), None)
        if listed is not None:
            if staged.entry.get("contribution") is not None and listed.get("contribution") == staged.entry["contribution"]:
                self.discard(staged)
                return listed
            raise FileExistsError(f"{staged.name} version {number} is already published (from "
                                  f"{listed.get('contribution') or 'an ingest'}); versions are never replaced.")
        final = folder / f"v{number:04d}.parquet"
        # A file already at `final` is unlisted, so it was never readable (a crash before its manifest): replace it.
        os.replace(staged.parquet_tmp, final)
        os.replace(staged.arrow_tmp, final.with_suffix(".arrow"))
        entry = dict(staged.entry, version=number, file=final.name)
        manifest["versions"] = sorted([*manifest["versions"], entry], key=lambda v: v["version"])
        atomic_write_json(folder / "manifest.json", manifest)
        return entry

    def update_manifest(self, name: str, change) -> dict:
        """Apply ``change(manifest)`` (which edits it in place) and replace the manifest atomically, under the
        store's lock so a publish at the same moment is not lost."""
        with self._lock():
            manifest = self.manifest(name)
            change(manifest)
            atomic_write_json(self.root / name / "manifest.json", manifest)
            return manifest

    def discard(self, staged: StagedVersion) -> None:
        staged.parquet_tmp.unlink(missing_ok=True)
        staged.arrow_tmp.unlink(missing_ok=True)

    def sweep_staged(self) -> None:
        """Remove staged files left by a crashed ingest (they were never visible)."""
        if self.root.is_dir():
            for leftover in self.root.glob("*/.staged.*"):
                leftover.unlink(missing_ok=True)

    def sweep(self) -> list[str]:
        """Remove what a crash left and no reader can reach: staged files, and version files the manifest does not
        list (renamed into place just before a crash). Returns one line per file removed."""
        removed = []
        with self._lock():
            for folder in sorted(p for p in self.root.iterdir() if p.is_dir()) if self.root.is_dir() else []:
                try:
                    listed = {v["file"] for v in self.manifest(folder.name)["versions"]}
                except DatasetNotFound:
                    listed = set()
                for path in sorted(folder.glob(".staged.*")) + sorted(folder.glob("v[0-9]*.*")):
                    if path.name.startswith(".staged.") or path.with_suffix(".parquet").name not in listed:
                        path.unlink(missing_ok=True)
                        removed.append(f"removed {path.relative_to(self.home)} (never published)")
        return removed

    def _manifest_or_new(self, name: str) -> dict:
        try:
            return self.manifest(name)
        except DatasetNotFound:
            return {"name": name, "versions": []}

    @contextlib.contextmanager
    def _lock(self):
        """One writer of manifests at a time: threads of this process, then processes (flock)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with _MANIFEST_LOCK:
            # Read-only is enough for flock, so a lock file another account created (0644) still works.
            fd = os.open(self.home / "store.lock", os.O_RDONLY | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the lock


def pick_version(name: str, manifest: dict, version: int | None = None) -> dict:
    """The manifest entry of ``version`` (the latest when None); DatasetNotFound lists the versions there are."""
    versions = manifest["versions"]
    if version is None:
        return versions[-1]
    for entry in versions:
        if entry["version"] == int(version):
            return entry
    raise DatasetNotFound(f"{name} version {version}", [f"{name} version {v['version']}" for v in versions])
