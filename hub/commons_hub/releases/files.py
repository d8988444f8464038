"""Release files on disk: ``$COMMONS_HOME/releases/<id>/``, written once, atomically, with checksums.

    releases/<id>/files/<output>.parquet|.csv|.txt|.png   what may leave once two checkers approve
    releases/<id>/manifest.json                            the release, each file's sha256 and server check
    releases/<id>/acro_results.json                        the kernel's ACRO results, as sent (when sent)
    releases/<id>/SHA256SUMS                               `cd releases/<id> && sha256sum -c SHA256SUMS`

Files are written into a hidden staging folder first and the folder is renamed into place in one step, so a
release folder is either complete or absent. Nothing under ``releases/`` is ever rewritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from commons_kernel.release_outputs import KINDS, Output, OutputCheck, table_from_parquet
from commons_kernel.upload_checks import neutralise_formulas

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@dataclass
class StoredFile:
    name: str  # file name under files/
    output: str  # the analyst's name for the object
    kind: str
    media_type: str
    sha256: str
    bytes: int
    check: OutputCheck
    exception: str | None

    def row(self, release_id: int) -> dict:
        return {
            "release_id": release_id,
            "name": self.name,
            "output": self.output,
            "kind": self.kind,
            "media_type": self.media_type,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "check_status": self.check.status,
            "check_summary": self.check.summary,
            "exception": self.exception,
        }


@dataclass
class Staging:
    path: Path
    files: list[StoredFile]
    acro: object | None


MANIFEST = "manifest.json"


def releases_root(home: Path) -> Path:
    return Path(home) / "releases"


def release_dir(home: Path, release_id: int) -> Path:
    return releases_root(home) / str(int(release_id))


def manifest_path(home: Path, release_id: int) -> Path:
    """The release's manifest: its files, their sha256 and the server's check of each."""
    return release_dir(home, release_id) / MANIFEST


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """A table output with its labels (index) as columns, as a spreadsheet or a page shows it."""
    if not (frame.index.name is None and frame.index.equals(pd.RangeIndex(len(frame)))):
        frame = frame.reset_index()
    return frame


def _csv_copy(content: bytes) -> bytes:
    """The table as CSV for spreadsheets: labels as columns, cells a spreadsheet would run as formulas neutralised."""
    frame = with_labels(table_from_parquet(content))
    sink = io.StringIO()
    neutralise_formulas(frame).to_csv(sink, index=False)
    return sink.getvalue().encode("utf-8")


def _files_of(output: Output) -> list[tuple[str, str, bytes]]:
    media_type = KINDS[output.kind][1]
    files = [(output.filename, media_type, output.content)]
    if output.kind == "table":
        files.append((f"{output.name}.csv", CSV_MEDIA_TYPE, _csv_copy(output.content)))
    return files


def _write(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:  # "x": a staging folder is new, so nothing is ever overwritten
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def stage(home: Path, checked: list[tuple[Output, OutputCheck]], acro=None) -> Staging:
    """Write the files of a request into a new hidden folder under releases/; not yet a release."""
    root = releases_root(home)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f".staging-{uuid.uuid4().hex}"
    (path / "files").mkdir(parents=True)
    stored = []
    try:
        for output, result in checked:
            for name, media_type, data in _files_of(output):
                _write(path / "files" / name, data)
                stored.append(
                    StoredFile(
                        name,
                        output.name,
                        output.kind,
                        media_type,
                        hashlib.sha256(data).hexdigest(),
                        len(data),
                        result,
                        output.exception,
                    )
                )
        if acro is not None:
            _write(path / "acro_results.json", json.dumps(acro, indent=2, sort_keys=True, default=str).encode())
    except BaseException:
        discard(Staging(path, stored, acro))
        raise
    return Staging(path, stored, acro)


def publish(home: Path, staging: Staging, release_id: int, manifest: dict) -> Path:
    """Add the manifest and checksums, then rename the staging folder to releases/<id>/ in one step."""
    target = release_dir(home, release_id)
    if target.exists():
        raise FileExistsError(f"{target} already exists: release folders are never reused; tell the operators.")
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    _write(staging.path / MANIFEST, text.encode())
    sums = "".join(f"{f.sha256}  files/{f.name}\n" for f in staging.files)
    _write(staging.path / "SHA256SUMS", sums.encode())
    os.replace(staging.path, target)
    return target


def discard(staging: Staging) -> None:
    shutil.rmtree(staging.path, ignore_errors=True)


def unpublish(home: Path, release_id: int) -> None:
    """Remove a release folder whose database rows were rolled back (it was never visible)."""
    shutil.rmtree(release_dir(home, release_id), ignore_errors=True)


def file_path(home: Path, release_id: int, name: str) -> Path:
    return release_dir(home, release_id) / "files" / name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(home: Path, release_id: int, expected: dict[str, str]) -> list[str]:
    """Problems with a release folder against the checksums in the database ({file name: sha256}); [] if intact."""
    problems = []
    folder = release_dir(home, release_id) / "files"
    for name, sha256 in sorted(expected.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"release {release_id}: files/{name} is missing")
        elif sha256_of(path) != sha256:
            problems.append(f"release {release_id}: files/{name} changed after it was stored (sha256 differs)")
    extra = sorted(p.name for p in folder.iterdir() if p.name not in expected) if folder.is_dir() else []
    problems.extend(f"release {release_id}: files/{name} is not part of the release" for name in extra)
    return problems
