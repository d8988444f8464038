"""A consistent, portable snapshot of a running commons, and its restore into an empty state.

Layout of a backup folder (written as ``.DIR.partial`` beside it, then renamed: a folder called DIR is whole)::

    backup.json                 format, time, schema revision, rows per table, and every file's sha256
    database/<table>.jsonl      every row of the governance and audit database, one JSON object a line
                                (portable: restores into SQLite or PostgreSQL, whichever this one was)
    store/<name>/...            manifests and the version files they list (each checked against its sha256)
    state/...                   the audit anchor, contributed datasets' metadata.yaml, pending uploads and
                                reports, releases: the state directory without databases, secrets and locks
    catalog/...                 the catalogue metadata (COMMONS_CATALOG_DIR's datasets/)
    public/...                  published stories (COMMONS_PUBLIC_DIR)

Consistency while the commons runs: the audit anchor is copied first, then, under the store's writers' lock (no
version is published and no manifest replaced meanwhile), one database transaction reads every table (SQLite:
the write lock; PostgreSQL: a REPEATABLE READ snapshot) and the manifests and working files are copied. Version
files are immutable, so they are copied after the lock is released. So the anchor never names an entry the dump
lacks, and every manifest, row and pending upload is from the same moment.

Not in a backup: JupyterHub's own database and the secrets (tokens and cookie secret are made anew at the first
start; people log in again), logs and lock files.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from commons_hub.store import MANIFEST
from commons_kernel import config
from commons_kernel.exceptions import CommonsError

FORMAT = 1
SKIPPED_STATE = {
    "governance.sqlite",
    "governance.sqlite-wal",
    "governance.sqlite-shm",
    "jupyterhub.sqlite",
    "jupyterhub.sqlite-wal",
    "jupyterhub.sqlite-shm",
    "jupyterhub_cookie_secret",
    "jupyterhub.pid",
    "jupyterhub-proxy.pid",
    "store.lock",
    "audit.lock",
    "secrets.json",
}


class BackupError(CommonsError):
    """A backup cannot be written or restored; nothing was changed."""


@dataclass
class BackupSummary:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0

    def lines(self) -> list[str]:
        return [
            f"{self.folder}: {sum(self.rows.values())} database rows in {len(self.rows)} tables, "
            f"{self.files} files ({self.bytes / 1e6:.1f} MB), each with its sha256 in backup.json."
        ]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables():
    from commons_hub import tables
    from commons_hub.db import METADATA

    tables.import_all()
    return METADATA.sorted_tables


# rows <-> JSON ---------------------------------------------------------------------------------------------
def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, (bytes, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        ((kind, raw),) = value.items()
        if kind == "$datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "$date":
            return dt.date.fromisoformat(raw)
        if kind == "$bytes":
            return base64.b64decode(raw)
    return value


def _snapshot_connection(eng: sa.Engine):
    if eng.dialect.name == "postgresql":
        return eng.connect().execution_options(isolation_level="REPEATABLE READ")
    return eng.connect()


# backup ----------------------------------------------------------------------------------------------------
def backup(
    target: Path,
    home: Path | None = None,
    eng: sa.Engine | None = None,
    store=None,
    catalog_dir: Path | None = None,
    public_dir: Path | None = None,
) -> BackupSummary:
    from commons_hub.db import engine
    from commons_hub.store import Store

    target = Path(target).resolve()
    if target.exists():
        raise BackupError(
            f"{target} exists already; a backup goes into a new folder (e.g. "
            f"`commons backup {target.parent}/commons-{dt.date.today():%Y%m%d}`). Nothing was written."
        )
    home = Path(home or config.home())
    store = store or Store(home)
    eng = eng or engine()
    catalog_dir = Path(catalog_dir or config.setting("catalog_dir"))
    public_dir = Path(public_dir or config.public_dir())
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    summary = BackupSummary(target)
    try:
        anchor = home / "audit.anchor"
        if anchor.exists():  # first: it may then lag the dump, never lead it
            _copy(anchor, partial / "state" / "audit.anchor")
        with store.files.lock(), _snapshot_connection(eng) as conn:
            with conn.begin():
                revision = _revision(conn)
                for table in _tables():
                    summary.rows[table.name] = _dump(conn, table, partial / "database" / f"{table.name}.jsonl")
            manifests = {}
            for name in store.names():
                manifests[name] = store.manifest(name)
                _write(partial / "store" / name / MANIFEST, store.manifest_bytes(name))
            _copy_tree(home, partial / "state", skip=_state_skip(home, store))
        for name, manifest in manifests.items():
            for entry in manifest["versions"]:
                for file, kind in store.version_files(entry).items():
                    _write(partial / "store" / name / file, store.version_bytes(name, entry, kind))
        if (catalog_dir / "datasets").is_dir():
            _copy_tree(catalog_dir / "datasets", partial / "catalog" / "datasets")
        if public_dir.is_dir():
            _copy_tree(public_dir, partial / "public")
        files = {}
        for path in sorted(p for p in partial.rglob("*") if p.is_file()):
            files[str(path.relative_to(partial))] = _sha256(path)
            summary.bytes += path.stat().st_size
        summary.files = len(files)
        description = {
            "format": FORMAT,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "schema_revision": revision,
            "database_backend": eng.dialect.name,
            "store_url": store.files.url,
            "rows": summary.rows,
            "files": files,
        }
        _write(partial / "backup.json", (json.dumps(description, indent=2, sort_keys=True) + "\n").encode())
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return summary


def _revision(conn) -> str | None:
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _dump(conn, table: sa.Table, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    order = list(table.primary_key.columns) or list(table.columns)
    count = 0
    with open(path, "w") as handle:
        for row in conn.execute(sa.select(table).order_by(*order)):
            handle.write(json.dumps({k: _encode(v) for k, v in row._mapping.items()}, sort_keys=True) + "\n")
            count += 1
    return count


def _state_skip(home: Path, store):
    """State files a backup leaves out: databases, secrets, locks, hidden (staged) files, and the manifests and
    version files (copied from the store instead, checked)."""

    def skip(path: Path) -> bool:
        parts = path.relative_to(home).parts
        if parts[0] in SKIPPED_STATE or parts[0] == "audit.anchor" or any(p.startswith(".") for p in parts):
            return True
        return store.is_stored_file(path)

    return skip


def _copy_tree(source: Path, target: Path, skip=lambda path: False) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink() and not skip(path):
            _copy(path, target / path.relative_to(source))


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# restore ---------------------------------------------------------------------------------------------------
def check_backup(folder: Path) -> dict:
    """backup.json, once every file it lists has its sha256 and nothing else is there. BackupError otherwise."""
    folder = Path(folder)
    try:
        description = json.loads((folder / "backup.json").read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{folder} is not a backup: it has no backup.json (`commons backup DIR` writes one)."
        ) from None
    if description.get("format") != FORMAT:
        raise BackupError(
            f"{folder}/backup.json: format {description.get('format')!r}; this commons reads format {FORMAT}."
        )
    problems = []
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"backup.json"}
    for relative, expected in sorted(description["files"].items()):
        if relative not in present:
            problems.append(f"{relative}: missing")
        elif _sha256(folder / relative) != expected:
            problems.append(f"{relative}: sha256 differs from backup.json")
    problems += [f"{relative}: not listed in backup.json" for relative in sorted(present - set(description["files"]))]
    if problems:
        raise BackupError(
            f"{folder} does not match its backup.json, so nothing was restored: "
            + "; ".join(problems[:10])
            + (f" (and {len(problems) - 10} more)" if len(problems) > 10 else "")
        )
    return description


def emptiness_problems(home: Path, eng: sa.Engine, store, public_dir: Path) -> list[str]:
    problems = []
    with eng.connect() as conn:
        for table in _tables():
            if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                where = eng.url.render_as_string(hide_password=True)
                problems.append(f"the database ({where}) has rows in {table.name}")
                break
    if store.names():
        problems.append(f"the store ({store.files.url}) has datasets: {', '.join(store.names()[:5])}")
    if store.has_working_files():
        problems.append(f"{store.root} is not empty")
    if (home / "audit.anchor").exists():
        problems.append(f"{home / 'audit.anchor'} exists")
    if (public_dir / "stories").is_dir() and any((public_dir / "stories").rglob("*")):
        problems.append(f"{public_dir / 'stories'} is not empty")
    return problems


def restore(
    folder: Path,
    home: Path | None = None,
    eng: sa.Engine | None = None,
    store=None,
    catalog_dir: Path | None = None,
    public_dir: Path | None = None,
) -> list[str]:
    """Restore the backup in ``folder`` into an empty state (database, store, state directory, public folder).
    Refuses a non-empty one, or a backup whose files do not match their hashes, before writing anything."""
    from commons_hub import migrations
    from commons_hub.db import engine
    from commons_hub.store import Store

    folder = Path(folder).resolve()
    description = check_backup(folder)
    home = Path(home or config.home())
    home.mkdir(parents=True, exist_ok=True)
    store = store or Store(home)
    eng = eng or engine()
    catalog_dir = Path(catalog_dir or config.setting("catalog_dir"))
    public_dir = Path(public_dir or config.public_dir())
    if description["schema_revision"] != migrations.head():
        raise BackupError(
            f"{folder} holds schema revision {description['schema_revision']}; this code needs "
            f"{migrations.head()}. Restore it with the release that wrote it, run `commons db upgrade`, "
            f"and back up again. Nothing was restored."
        )
    problems = emptiness_problems(home, eng, store, public_dir)
    if problems:
        raise BackupError(
            "commons restore goes into an empty state, and this one is not: "
            + "; ".join(problems)
            + ". Point COMMONS_HOME, COMMONS_DB_URL, COMMONS_STORE_URL and COMMONS_PUBLIC_DIR at new, "
            "empty places (or empty these). Nothing was restored."
        )
    lines = []
    state = folder / "state"
    if state.is_dir():
        _copy_tree(state, home, skip=lambda path: path.name == "audit.anchor")
    for manifest_path in sorted((folder / "store").glob(f"*/{MANIFEST}")):
        store.restore_dataset(manifest_path.parent.name, manifest_path.parent)  # the manifest last: the switch
    lines.append(f"store ({store.files.url}): {len(store.names())} datasets")
    rows = _load(folder / "database", eng)
    lines.append(f"database ({eng.dialect.name}): {rows} rows")
    if (state / "audit.anchor").exists():
        _copy(state / "audit.anchor", home / "audit.anchor")  # after the rows it names
    lines += _restore_catalog(folder / "catalog" / "datasets", catalog_dir / "datasets")
    if (folder / "public").is_dir():
        _copy_tree(folder / "public", public_dir)
        lines.append(f"published stories: {public_dir}")
    return lines


def _load(database: Path, eng: sa.Engine) -> int:
    count = 0
    with eng.begin() as conn:
        for table in _tables():
            path = database / f"{table.name}.jsonl"
            if not path.exists():
                continue
            batch = []
            with open(path) as handle:
                for line in handle:
                    batch.append({k: _decode(v) for k, v in json.loads(line).items() if k in table.columns})
                    if len(batch) == 1000:
                        conn.execute(table.insert(), batch)
                        count, batch = count + len(batch), []
            if batch:
                conn.execute(table.insert(), batch)
                count += len(batch)
        if eng.dialect.name == "postgresql":  # serial ids continue after the restored ones
            for table in _tables():
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (
                        column.autoincrement == "auto"
                        and isinstance(column.type, sa.Integer)
                        and len(table.primary_key.columns) == 1
                    ):
                        sequence = conn.execute(
                            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
                        ).scalar()
                        if sequence:
                            conn.execute(
                                sa.text(
                                    f"SELECT setval('{sequence}', COALESCE((SELECT MAX({column.name}) "
                                    f"FROM {table.name}), 0) + 1, false)"
                                )
                            )
    return count


def _restore_catalog(source: Path, target: Path) -> list[str]:
    if not source.is_dir():
        return []
    different = []
    for path in sorted(source.rglob("*")):
        if path.is_file():
            there = target / path.relative_to(source)
            if not there.exists():
                _copy(path, there)
            elif there.read_bytes() != path.read_bytes():
                different.append(str(path.relative_to(source)))
    if different:
        return [
            f"catalogue: {target} kept as it is; these files differ from the backup's: {', '.join(different)} "
            f"(the backup's copies are in {source})"
        ]
    return [f"catalogue: {target} matches the backup"]
