"""Where the store keeps version files and manifests, through fsspec: the state directory (default) or S3.

``COMMONS_STORE_URL`` chooses: empty means ``$COMMONS_HOME/datasets`` (the layout of one machine, unchanged);
``s3://bucket/prefix`` puts every ``<name>/vNNNN.parquet``, ``<name>/vNNNN.arrow`` and ``<name>/manifest.json``
in that bucket through s3fs (endpoint ``COMMONS_S3_ENDPOINT_URL``; credentials from the standard ``AWS_*``
variables or the file ``COMMONS_S3_CREDENTIALS_FILE``; both reach the data-api's environment only, install.py).
The register reads
manifests with a read-only key (``COMMONS_S3_READ_CREDENTIALS_FILE``).

Working files stay in the state directory either way: staged versions (``.staged.*``), pending uploads, check
reports and contributed datasets' ``metadata.yaml``.

Writers of manifests are serialised by ``lock()``. Local: ``flock`` on ``store.lock`` (as before). S3 has no
lock, so writers take the governance database's lock too: on PostgreSQL a session advisory lock (every data-api
replica and operator command shares that database, so two machines never rewrite one manifest at once); on
SQLite the commons is one machine and ``flock`` is the lock. A manifest is replaced by one PUT, which S3 applies
whole (a reader sees the old manifest or the new one, and reads its own writes), so no reader sees half of it.

Backends are a registry (``BACKENDS``): the URL's scheme picks one; a third party adds another the same way.
"""

from __future__ import annotations

import configparser
import contextlib
import fcntl
import hashlib
import os
import threading
from pathlib import Path

import fsspec

from commons_kernel import config
from commons_kernel.exceptions import CommonsError, ConfigurationError

_THREADS = threading.Lock()
ADVISORY_KEY = 0x636F6D6D  # "comm": the manifest writers' lock on PostgreSQL


class StoredFileCorrupt(CommonsError):
    """A version file's bytes do not have the sha256 its manifest lists: refused, never served."""

    def __init__(self, where: str, expected: str, actual: str):
        self.where, self.expected, self.actual = where, expected, actual
        super().__init__(
            f"{where} does not match its manifest: sha256 {actual} where {expected} was recorded. "
            f"The read was refused. Operators: restore the file from a backup (`commons restore`) "
            f"or from its source; versions are never rewritten in place."
        )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class StoreFiles:
    """Version files and manifests under ``base`` on an fsspec filesystem. Paths given are relative to it."""

    scheme = ""

    def __init__(self, fs, base: str, home: Path):
        self.fs, self.base, self.home = fs, base.rstrip("/"), Path(home)

    @property
    def url(self) -> str:
        return self.base

    def _path(self, rel: str) -> str:
        return f"{self.base}/{rel}"

    def read_bytes(self, rel: str) -> bytes:
        try:
            return self.fs.cat_file(self._path(rel))
        except FileNotFoundError:
            raise FileNotFoundError(f"{self.url}/{rel}") from None

    def read_verified(self, rel: str, sha256: str) -> bytes:
        """The file's bytes, once their sha256 is the one recorded; StoredFileCorrupt otherwise."""
        data = self.read_bytes(rel)
        actual = sha256_bytes(data)
        if actual != sha256:
            raise StoredFileCorrupt(f"{self.url}/{rel}", sha256, actual)
        return data

    def exists(self, rel: str) -> bool:
        return self.fs.exists(self._path(rel))

    def names(self) -> list[str]:
        """Datasets: the folders holding a manifest."""
        return sorted(p.rstrip("/").split("/")[-2] for p in self.fs.glob(self._path("*/manifest.json")))

    def listing(self, name: str) -> list[str]:
        try:
            return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(self._path(name), detail=False))
        except FileNotFoundError:
            return []

    def remove(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._path(rel))

    def stamp(self, rel: str):
        """Something that changes when the file is replaced (None when it is missing): a cheap cache key."""
        try:
            info = self.fs.info(self._path(rel))
        except FileNotFoundError:
            return None
        return info.get("ETag") or info.get("LastModified") or info.get("mtime")

    def write_atomic(self, rel: str, data: bytes) -> None:
        self.fs.pipe_file(self._path(rel), data)  # one PUT: the object is replaced whole

    def put(self, local: Path, rel: str) -> None:
        """Move a local (staged) file to ``rel``."""
        self.fs.put_file(str(local), self._path(rel))
        Path(local).unlink(missing_ok=True)

    @contextlib.contextmanager
    def lock(self):
        """One writer of manifests at a time: threads of this process, then processes (flock)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with _THREADS:
            # Read-only is enough for flock, so a lock file another account created (0644) still works.
            fd = os.open(self.home / "store.lock", os.O_RDONLY | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the lock


class LocalFiles(StoreFiles):
    """The default: ``$COMMONS_HOME/datasets`` (through fsspec's local filesystem)."""

    scheme = "file"

    def __init__(self, root: Path, home: Path):
        super().__init__(fsspec.filesystem("file"), str(root), home)

    def read_bytes(self, rel: str) -> bytes:
        return (Path(self.base) / rel).read_bytes()

    def stamp(self, rel: str):
        try:
            return (Path(self.base) / rel).stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def names(self) -> list[str]:
        root = Path(self.base)
        return sorted(p.parent.name for p in root.glob("*/manifest.json")) if root.is_dir() else []

    def write_atomic(self, rel: str, data: bytes) -> None:
        from commons_hub.store import atomic_write_bytes

        atomic_write_bytes(Path(self.base) / rel, data)

    def put(self, local: Path, rel: str) -> None:
        # A file already there is unlisted, so it was never readable (a crash before its manifest): replace it.
        os.replace(local, Path(self.base) / rel)


class S3Files(StoreFiles):
    scheme = "s3"

    @classmethod
    def from_settings(cls, url: str, home: Path) -> S3Files:
        import s3fs

        options = {"skip_instance_cache": True, "use_listings_cache": False}
        endpoint = config.setting("s3_endpoint_url")
        if endpoint:
            options["endpoint_url"] = endpoint
        options.update(_credentials())
        return cls(s3fs.S3FileSystem(**options), url.removeprefix("s3://"), home)

    @property
    def url(self) -> str:
        return f"s3://{self.base}"

    def names(self) -> list[str]:
        return sorted(p.split("/")[-2] for p in self.fs.find(self.base) if p.endswith("/manifest.json"))

    @contextlib.contextmanager
    def lock(self):
        with super().lock(), _database_lock():
            yield


def _credentials() -> dict:
    """Keys from ``COMMONS_S3_CREDENTIALS_FILE`` (an AWS-style INI file, section ``[default]``), else nothing: s3fs
    then takes the standard ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` variables or the instance's role."""
    path, variable = config.setting("s3_credentials_file"), "COMMONS_S3_CREDENTIALS_FILE"
    if not path and not os.environ.get("AWS_ACCESS_KEY_ID"):  # a service that only reads manifests (the register)
        path, variable = config.setting("s3_read_credentials_file"), "COMMONS_S3_READ_CREDENTIALS_FILE"
    if not path:
        return {}
    parser = configparser.ConfigParser()
    try:
        with open(path) as handle:
            parser.read_file(handle)
        section = parser["default"]
        return {"key": section["aws_access_key_id"], "secret": section["aws_secret_access_key"]}
    except OSError as exc:
        raise ConfigurationError(
            f"{variable}={path}: cannot be read ({exc.strerror}). Only the service "
            f"account should read it: chown it to that account, chmod 600."
        ) from exc
    except (KeyError, configparser.Error) as exc:
        raise ConfigurationError(
            f"{variable}={path}: no {exc} in it. Write a [default] section "
            f"with aws_access_key_id = ... and aws_secret_access_key = ..."
        ) from exc


@contextlib.contextmanager
def _database_lock():
    """PostgreSQL: a session advisory lock on a connection of its own (so it never waits on the caller's own
    transaction). SQLite: nothing more (one machine; flock holds)."""
    from commons_hub.db import engine

    eng = engine()
    if eng.dialect.name != "postgresql":
        yield
        return
    with eng.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({ADVISORY_KEY})")
        conn.commit()
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({ADVISORY_KEY})")
            conn.commit()


BACKENDS = {"file": lambda url, home: LocalFiles(Path(url.removeprefix("file://")), home), "s3": S3Files.from_settings}


def open_files(home: Path) -> StoreFiles:
    """The backend that ``COMMONS_STORE_URL`` names (the state directory's ``datasets/`` when empty)."""
    url = config.setting("store_url")
    if not url:
        return LocalFiles(Path(home) / "datasets", home)
    scheme = url.split("://", 1)[0] if "://" in url else "file"
    if scheme not in BACKENDS:
        raise ConfigurationError(
            f"COMMONS_STORE_URL={url!r}: no store for {scheme}:// (there are "
            f"{', '.join(s + '://' for s in BACKENDS)}). Leave it empty for the state directory."
        )
    return BACKENDS[scheme](url, home)
