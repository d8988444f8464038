"""The dataset store: one immutable Parquet (GeoParquet) file per dataset version, plus a manifest.

Layout under the state directory::

    datasets/<name>/v0001.parquet      immutable; never rewritten
    datasets/<name>/v0001.arrow        the same table as an uncompressed Arrow IPC stream, served as-is
    datasets/<name>/manifest.json      versions, sha256, provenance; replaced atomically
    datasets/<name>/metadata.yaml      a contributed dataset's catalogue metadata
    datasets/<name>/pending/<id>.parquet, <id>.report.json   a contribution's upload and report, until decided
    datasets/<name>/reports/contribution-<id>.json           its report, kept after the decision

``Store``'s methods give every path of this layout (``metadata_path``, ``pending_upload``, ``kept_report``, ...):
ask them rather than joining names elsewhere, so the layout changes in one place.

A version is readable only once the manifest lists it: files are staged under hidden names, renamed into place,
and then the manifest is replaced (under ``store.lock``). A file the manifest does not list was never readable;
``sweep`` removes such leftovers at start.

Version files and manifests go through fsspec (``store_files.py``): this layout in the state directory by
default, or the same layout under ``s3://bucket/prefix`` (``COMMONS_STORE_URL``). Staged files, pending uploads and
contributed datasets' ``metadata.yaml`` stay in the state directory's ``datasets/`` (``Store.root``) either way.
Every read checks the bytes against the manifest's sha256 (``StoredFileCorrupt`` when they differ).

Only the data-api service (and operators' commands) read the store. Kernels read through the data-api.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from commons_hub.store_files import LocalFiles, StoredFileCorrupt, StoreFiles, open_files
from commons_kernel import config
from commons_kernel.exceptions import DatasetNotFound
from commons_kernel.frames import table_to_frame

MANIFEST = "manifest.json"

__all__ = [
    "Store",
    "StagedVersion",
    "StoredFileCorrupt",
    "arrow_file",
    "atomic_write_bytes",
    "atomic_write_json",
    "pick_version",
    "sha256_file",
]


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
    def __init__(self, home: Path | None = None, files: StoreFiles | None = None):
        self.home = Path(home) if home else config.home()
        self.root = self.home / "datasets"  # working files; version files too unless COMMONS_STORE_URL
        self.files = files or open_files(self.home)

    # reading -----------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return self.files.names()

    def has(self, name: str) -> bool:
        return self.files.exists(f"{name}/{MANIFEST}")

    def manifest(self, name: str) -> dict:
        try:
            return json.loads(self.files.read_bytes(f"{name}/{MANIFEST}"))
        except FileNotFoundError:
            raise DatasetNotFound(name, self._close(name)) from None

    def manifest_stamp(self, name: str):
        """Changes whenever the manifest is replaced; None when there is none (a cheap cache key)."""
        return self.files.stamp(f"{name}/{MANIFEST}")

    def version_entry(self, name: str, version: int | None = None) -> dict:
        return pick_version(name, self.manifest(name), version)

    def parquet_path(self, name: str, version: int | None = None) -> Path:
        """Local stores only: where the version's Parquet file is (readers use ``version_bytes``, which checks it)."""
        return Path(self.files.base) / name / self.version_entry(name, version)["file"]

    def version_bytes(self, name: str, entry: dict, kind: str = "parquet") -> bytes:
        """The version's Parquet (or Arrow, ``kind="arrow"``) bytes, checked against the manifest's sha256.
        Raises StoredFileCorrupt on a mismatch, KeyError for an Arrow copy whose hash was never recorded."""
        file = entry["file"] if kind == "parquet" else arrow_file(entry["file"])
        expected = entry["sha256"] if kind == "parquet" else entry["arrow_sha256"]
        return self.files.read_verified(f"{name}/{file}", expected)

    def version_files(self, entry: dict) -> dict[str, str]:
        """{file name: kind} of one manifest entry: its Parquet file, and its Arrow copy when one was recorded."""
        files = {entry["file"]: "parquet"}
        if "arrow_sha256" in entry:
            files[arrow_file(entry["file"])] = "arrow"
        return files

    def manifest_bytes(self, name: str) -> bytes:
        """The manifest file as stored (a backup keeps it byte for byte)."""
        return self.files.read_bytes(f"{name}/{MANIFEST}")

    def read_table(self, name: str, version: int | None = None, columns: list[str] | None = None) -> pa.Table:
        data = self.version_bytes(name, self.version_entry(name, version))
        return pq.read_table(pa.BufferReader(data), columns=columns)

    def read(self, name: str, version: int | None = None, columns: list[str] | None = None):
        """A pandas DataFrame, or a GeoDataFrame when the dataset has a geometry column."""
        return table_to_frame(self.read_table(name, version, columns))

    def _close(self, name: str) -> list[str]:
        import difflib

        return difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)

    # working files in the state directory: contributed metadata, contributions' uploads and reports ----------
    def metadata_path(self, name: str) -> Path:
        """Where a contributed dataset's catalogue metadata is kept (beside its data)."""
        return self.root / name / "metadata.yaml"

    def contributed_metadata_files(self) -> list[Path]:
        """Every contributed dataset's metadata file, for ``commons_kernel.catalog.load_metadata(contributed=)``."""
        return sorted(self.root.glob("*/metadata.yaml")) if self.root.is_dir() else []

    def pending_dir(self, name: str) -> Path:
        return self.root / name / "pending"

    def pending_upload(self, name: str, contribution_id: int) -> Path:
        """A contribution's uploaded table, until its version is published or it is rejected."""
        return self.pending_dir(name) / f"{contribution_id}.parquet"

    def pending_report(self, name: str, contribution_id: int) -> Path:
        """A pending contribution's quality report."""
        return self.pending_dir(name) / f"{contribution_id}.report.json"

    def reports_dir(self, name: str) -> Path:
        return self.root / name / "reports"

    def kept_report(self, name: str, contribution_id: int) -> Path:
        """A decided contribution's quality report, kept after its pending files go."""
        return self.reports_dir(name) / f"contribution-{contribution_id}.json"

    def pending_files(self) -> list[Path]:
        """Every file of every pending folder (uploads and reports), for the start-up sweep."""
        return sorted(self.root.glob("*/pending/*")) if self.root.is_dir() else []

    def pending_dirs(self) -> list[Path]:
        return sorted(self.root.glob("*/pending")) if self.root.is_dir() else []

    def has_working_files(self) -> bool:
        """Whether the state directory's ``datasets/`` holds anything (a restore goes into an empty one)."""
        return self.root.is_dir() and any(self.root.iterdir())

    def is_stored_file(self, path: Path) -> bool:
        """Whether ``path`` is a manifest or version file of a local store (which a backup copies from the store,
        checked, and not as a working file)."""
        try:
            parts = Path(path).relative_to(self.root).parts
        except ValueError:
            return False
        return len(parts) == 2 and (parts[1] == MANIFEST or (parts[1][:1] == "v" and parts[1][1:2].isdigit()))

    # writing -----------------------------------------------------------------------------------------
    def stage(self, name: str, table: pa.Table, entry: dict) -> StagedVersion:
        """Write a new version to hidden temporary files in the state directory."""
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        fd, parquet_tmp = tempfile.mkstemp(dir=folder, prefix=".staged.", suffix=".parquet")
        os.close(fd)
        pq.write_table(table, parquet_tmp, compression="zstd")
        arrow_tmp = Path(parquet_tmp).with_suffix(".arrow")
        with pa.OSFile(str(arrow_tmp), "wb") as sink, ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=64 * 1024)
        entry = dict(
            entry,
            sha256=sha256_file(Path(parquet_tmp)),
            rows=table.num_rows,
            bytes=Path(parquet_tmp).stat().st_size,
            arrow_sha256=sha256_file(arrow_tmp),
        )
        return StagedVersion(name, Path(parquet_tmp), arrow_tmp, entry)

    def commit(self, staged: StagedVersion) -> dict:
        """Make staged files the dataset's next version (ingest: a version needs no decision first)."""
        with self.files.lock():
            versions = self._manifest_or_new(staged.name)["versions"]
            return self._publish(staged, (versions[-1]["version"] + 1) if versions else 1)

    def publish(self, staged: StagedVersion, version: int) -> dict:
        """Make staged files version ``version``, a number decided (and recorded) before: move them into place,
        then add the version to the manifest, the one switch readers see. Repeatable: when the manifest already
        lists that version for the same contribution, the staged copy is dropped and the listed entry returned."""
        with self.files.lock():
            return self._publish(staged, int(version))

    def _publish(self, staged: StagedVersion, number: int) -> dict:
        manifest = self._manifest_or_new(staged.name)
        listed = next((v for v in manifest["versions"] if v["version"] == number), None)
        if listed is not None:
            if (
                staged.entry.get("contribution") is not None
                and listed.get("contribution") == staged.entry["contribution"]
            ):
                self.discard(staged)
                return listed
            raise FileExistsError(
                f"{staged.name} version {number} is already published (from "
                f"{listed.get('contribution') or 'an ingest'}); versions are never replaced."
            )
        final = f"v{number:04d}.parquet"
        # A file already at `final` is unlisted, so it was never readable (a crash before its manifest): replace it.
        self.files.put(staged.parquet_tmp, f"{staged.name}/{final}")
        self.files.put(staged.arrow_tmp, f"{staged.name}/{arrow_file(final)}")
        entry = dict(staged.entry, version=number, file=final)
        manifest["versions"] = sorted([*manifest["versions"], entry], key=lambda v: v["version"])
        self._write_manifest(staged.name, manifest)
        return entry

    def restore_dataset(self, name: str, folder: Path) -> None:
        """Write a dataset's files from a backup's ``store/<name>/``: the version files, then the manifest (the
        switch readers see), so a restore cut short never lists a file it lacks."""
        for version_file in sorted(Path(folder).iterdir()):
            if version_file.name != MANIFEST:
                self.files.write_atomic(f"{name}/{version_file.name}", version_file.read_bytes())
        self.files.write_atomic(f"{name}/{MANIFEST}", (Path(folder) / MANIFEST).read_bytes())

    def update_manifest(self, name: str, change) -> dict:
        """Apply ``change(manifest)`` (which edits it in place) and replace the manifest atomically, under the
        store's lock so a publish at the same moment is not lost."""
        with self.files.lock():
            manifest = self.manifest(name)
            change(manifest)
            self._write_manifest(name, manifest)
            return manifest

    def _write_manifest(self, name: str, manifest: dict) -> None:
        if isinstance(self.files, LocalFiles):  # temp file + fsync + rename
            atomic_write_json(Path(self.files.base) / name / MANIFEST, manifest)
            return
        self.files.write_atomic(
            f"{name}/{MANIFEST}", (json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n").encode()
        )

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
        list (moved into place just before a crash). Returns one line per file removed."""
        removed = []
        with self.files.lock():
            local = sorted(p.name for p in self.root.iterdir() if p.is_dir()) if self.root.is_dir() else []
            for name in sorted({*local, *self._stored_folders()}):
                for path in sorted((self.root / name).glob(".staged.*")):
                    path.unlink(missing_ok=True)
                    removed.append(f"removed {path.relative_to(self.home)} (never published)")
                try:
                    listed = {v["file"] for v in self.manifest(name)["versions"]}
                except DatasetNotFound:
                    listed = set()
                for file in self.files.listing(name):
                    if (
                        file[:1] == "v"
                        and file[1:2].isdigit()
                        and str(Path(file).with_suffix(".parquet")) not in listed
                    ):
                        self.files.remove(f"{name}/{file}")
                        removed.append(f"removed {self._shown(name, file)} (never published)")
        return removed

    def _stored_folders(self) -> list[str]:
        if Path(self.files.base) == self.root:
            return []
        try:
            return [p.rstrip("/").rsplit("/", 1)[-1] for p in self.files.fs.ls(self.files.base, detail=False)]
        except FileNotFoundError:
            return []

    def _shown(self, name: str, file: str) -> str:
        if Path(self.files.base) == self.root:
            return str((self.root / name / file).relative_to(self.home))
        return f"{self.files.url}/{name}/{file}"

    def _manifest_or_new(self, name: str) -> dict:
        try:
            return self.manifest(name)
        except DatasetNotFound:
            return {"name": name, "versions": []}


def arrow_file(parquet_file: str) -> str:
    """The name of a version's Arrow copy: ``v0001.parquet`` -> ``v0001.arrow``."""
    return str(Path(parquet_file).with_suffix(".arrow"))


def pick_version(name: str, manifest: dict, version: int | None = None) -> dict:
    """The manifest entry of ``version`` (the latest when None); DatasetNotFound lists the versions there are."""
    versions = manifest["versions"]
    if version is None:
        return versions[-1]
    for entry in versions:
        if entry["version"] == int(version):
            return entry
    raise DatasetNotFound(f"{name} version {version}", [f"{name} version {v['version']}" for v in versions])
