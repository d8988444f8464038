"""The store on a real S3-compatible server (moto's server mode on loopback, signatures checked), and the sha256
check on every read, local and S3."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pytest

from commons_hub.store import Store, StoredFileCorrupt
from commons_hub.store_files import ADVISORY_KEY, S3Files, open_files
from commons_kernel.exceptions import ConfigurationError, DatasetNotFound
from tests.s3_server import ThrowawayS3

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def s3_server():
    server = ThrowawayS3().start()
    yield server
    server.stop()


@pytest.fixture
def s3_store(s3_server, tmp_path, monkeypatch, request):
    prefix = f"t-{request.node.name}"[:60].replace("[", "-").replace("]", "")
    for name, value in s3_server.environment(prefix).items():
        monkeypatch.setenv(name, value)
    return Store(tmp_path)


def table(values):
    return pa.table({"lsoa11_code": [f"E0100{v:04d}" for v in values], "count": pa.array(values, pa.int64())})


def keys(server, prefix):
    listed = server.client().list_objects_v2(Bucket=server.bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"].removeprefix(prefix) for item in listed)


def test_versions_and_manifests_live_in_the_bucket_and_read_back(s3_server, s3_store):
    assert isinstance(s3_store.files, S3Files) and s3_store.names() == []
    first = s3_store.commit(s3_store.stage("counts", table([1, 2]), {"notes": []}))
    s3_store.commit(s3_store.stage("counts", table([3]), {"notes": []}))
    prefix = s3_store.files.base.split("/", 1)[1] + "/"
    assert keys(s3_server, prefix) == [
        "counts/manifest.json",
        "counts/v0001.arrow",
        "counts/v0001.parquet",
        "counts/v0002.arrow",
        "counts/v0002.parquet",
    ]
    assert not list((s3_store.root / "counts").glob("v*"))  # nothing but working files stay local
    assert s3_store.names() == ["counts"] and s3_store.has("counts")
    assert s3_store.read_table("counts", 1).equals(table([1, 2])) and s3_store.read("counts")["count"].tolist() == [3]
    assert s3_store.manifest("counts")["versions"][0] == first
    with pytest.raises(DatasetNotFound):
        s3_store.manifest("nothing")


def test_a_changed_object_is_refused_on_read(s3_server, s3_store):
    entry = s3_store.commit(s3_store.stage("counts", table([1, 2]), {"notes": []}))
    bucket, key = s3_store.files.base.split("/", 1)
    s3_server.client().put_object(Bucket=bucket, Key=f"{key}/counts/{entry['file']}", Body=b"swapped bytes")
    with pytest.raises(StoredFileCorrupt, match=r"counts/v0001\.parquet does not match its manifest: sha256"):
        s3_store.read_table("counts")
    assert s3_store.version_bytes("counts", entry, "arrow")[:4]  # the untouched Arrow copy still passes


def test_the_sweep_removes_unlisted_objects_and_a_withdrawal_flag_is_one_put(s3_server, s3_store):
    s3_store.commit(s3_store.stage("counts", table([1]), {"notes": []}))
    s3_store.files.write_atomic("counts/v0002.parquet", b"uploaded just before a crash")
    assert s3_store.sweep() == [f"removed {s3_store.files.url}/counts/v0002.parquet (never published)"]
    assert s3_store.sweep() == []
    s3_store.update_manifest("counts", lambda m: m.update(withdrawn={"reason": "test"}))
    assert s3_store.manifest("counts")["withdrawn"] == {"reason": "test"}


def test_concurrent_commits_lose_no_version_on_s3(s3_store):
    staged = [s3_store.stage("counts", table([n]), {"notes": []}) for n in range(6)]
    with ThreadPoolExecutor(3) as pool:
        numbers = sorted(entry["version"] for entry in pool.map(s3_store.commit, staged))
    assert numbers == list(range(1, 7)) == [v["version"] for v in s3_store.manifest("counts")["versions"]]


def test_s3_manifest_writers_hold_the_databases_lock(db_backend, s3_store):
    """PostgreSQL: the advisory lock every replica's writer takes; SQLite (one machine): the flock."""
    import fcntl
    import os

    import sqlalchemy as sa

    from commons_hub.db import engine

    def another_writer_could_lock() -> bool:
        if db_backend == "postgresql":
            with engine().connect() as conn:
                got = conn.execute(sa.text(f"SELECT pg_try_advisory_lock({ADVISORY_KEY})")).scalar()
                conn.execute(sa.text(f"SELECT pg_advisory_unlock({ADVISORY_KEY})"))
                return bool(got)
        fd = os.open(s3_store.home / "store.lock", os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    held, release = threading.Event(), threading.Event()

    def writer():
        with s3_store.files.lock():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(10)
        assert not another_writer_could_lock()  # another replica's writer waits
    finally:
        release.set()
        thread.join()
    assert another_writer_could_lock()


def test_a_changed_local_file_is_refused_too(tmp_path):
    store = Store(tmp_path)
    store.commit(store.stage("counts", table([1, 2]), {"notes": []}))
    store.parquet_path("counts").write_bytes(b"PAR1 changed on disk")
    with pytest.raises(StoredFileCorrupt, match="sha256"):
        store.read("counts")


def test_an_unknown_store_scheme_and_an_unreadable_credentials_file_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_STORE_URL", "ftp://host/data")
    with pytest.raises(ConfigurationError, match=r"no store for ftp:// \(there are file://, s3://\)"):
        open_files(tmp_path)
    monkeypatch.setenv("COMMONS_STORE_URL", "s3://bucket/prefix")
    monkeypatch.setenv("COMMONS_S3_CREDENTIALS_FILE", str(tmp_path / "missing.ini"))
    with pytest.raises(ConfigurationError, match="cannot be read .* chmod 600"):
        open_files(tmp_path)
    (tmp_path / "creds.ini").write_text("[default]\naws_access_key_id = AKIA\n")
    monkeypatch.setenv("COMMONS_S3_CREDENTIALS_FILE", str(tmp_path / "creds.ini"))
    with pytest.raises(ConfigurationError, match="no 'aws_secret_access_key' in it"):
        open_files(tmp_path)


def test_a_credentials_file_is_used(s3_server, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_STORE_URL", s3_server.url("creds-file"))
    monkeypatch.setenv("COMMONS_S3_ENDPOINT_URL", s3_server.endpoint)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    (tmp_path / "creds.ini").write_text(
        f"[default]\naws_access_key_id = {s3_server.key}\naws_secret_access_key = {s3_server.secret}\n"
    )
    monkeypatch.setenv("COMMONS_S3_CREDENTIALS_FILE", str(tmp_path / "creds.ini"))
    store = Store(tmp_path)
    store.commit(store.stage("counts", table([5]), {"notes": []}))
    assert store.read("counts")["count"].tolist() == [5]
