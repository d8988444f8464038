"""`commons backup` / `commons restore`: a snapshot restored into a fresh state on the other database backend
(SQLite to PostgreSQL and back) gives the same audit verification, reads and register; a non-empty state and a
changed backup are refused before anything is written."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from commons_hub.audit import AuditEvent, AuditLog
from commons_hub.backup import BackupError, backup, restore
from commons_hub.db import engine
from commons_hub.governance.projects import create_project
from commons_hub.services.register.data import RegisterData
from commons_hub.store import Store

pytestmark = pytest.mark.unit

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


class Place:
    """A state directory, its database, store, catalogue copy and public folder."""

    def __init__(self, root: Path, url: str):
        self.home, self.public, self.catalog = root / "home", root / "public", root / "catalog"
        self.home.mkdir(parents=True)
        self.engine = engine(url)
        self.store = Store(self.home)
        self.audit = AuditLog(self.engine, anchor=self.home / "audit.anchor")

    def register(self) -> RegisterData:
        return RegisterData(self.engine, self.store, catalog_dir=self.catalog)

    def places(self) -> dict:
        return {
            "home": self.home,
            "eng": self.engine,
            "store": self.store,
            "catalog_dir": self.catalog,
            "public_dir": self.public,
        }


def sqlite_url(root: Path) -> str:
    return f"sqlite:///{root / 'home' / 'governance.sqlite'}"


def fill(place: Place) -> None:
    import shutil

    shutil.copytree(CATALOG, place.catalog)
    table = pa.table({"lsoa11_code": ["E01006512", "E01006513"], "lsoa11_name": ["Liverpool 060A", "Liverpool 060B"]})
    place.store.commit(place.store.stage("imd2019_lsoa11", table, {"ingested_at": "2026-12-01"}))
    place.store.commit(place.store.stage("imd2019_lsoa11", table.slice(0, 1), {"ingested_at": "2026-12-02"}))
    place.store.commit(place.store.stage("population_mid2019_lsoa11", pa.table({"n": [1, 2, 3]}), {}))
    place.store.update_manifest("population_mid2019_lsoa11", lambda m: m.update(withdrawn={"reason": "test"}))
    (place.home / "datasets" / "imd2019_lsoa11" / "pending").mkdir()
    (place.home / "datasets" / "imd2019_lsoa11" / "pending" / "7.parquet").write_bytes(b"pending upload")
    create_project(
        "early-help-demand",
        "Early help",
        "Plan outreach",
        "analyst1",
        date.today() + timedelta(days=90),
        datasets=["imd2019_lsoa11"],
        members={"analyst1": "Demo"},
        status="approved",
        eng=place.engine,
    )
    for rows in (989, 100, 5):
        place.audit.append(
            AuditEvent(
                actor="analyst1",
                action="read",
                dataset="imd2019_lsoa11",
                version=1,
                project="early-help-demand",
                purpose="ward rates for the board",
                rows=rows,
            )
        )
    place.audit.append(AuditEvent(actor="analyst2", action="deny", outcome="denied", dataset="imd2019_lsoa11"))
    story = place.public / "stories" / "published" / "my-ward" / "index.html"
    story.parent.mkdir(parents=True)
    story.write_text("<h1>My ward</h1>")


def answers(place: Place) -> dict:
    reads = {}
    for name in place.store.names():
        for entry in place.store.manifest(name)["versions"]:
            reads[(name, entry["version"])] = hashlib.sha256(place.store.version_bytes(name, entry)).hexdigest()
    register = place.register()
    summary = register.summary()
    summary["audit"].pop("checked_at")  # when the check ran, not what it found
    return {
        "verify": place.audit.verify().ok,
        "head": place.audit.tail(1)[0]["hash"],
        "reads": reads,
        "manifests": {n: place.store.manifest(n) for n in place.store.names()},
        "summary": summary,
        "uses": register.uses(),
        "datasets": register.datasets(),
    }


@pytest.mark.parametrize("source_backend", ["sqlite", "postgresql"])
def test_a_backup_restores_on_the_other_backend_with_the_same_answers(source_backend, tmp_path, request):
    urls = {
        "sqlite": lambda root: sqlite_url(root),
        "postgresql": lambda root: (
            request.getfixturevalue("postgres_database")
            if root.name == "source"
            else request.getfixturevalue("postgres_database")
        ),
    }
    target_backend = "postgresql" if source_backend == "sqlite" else "sqlite"
    (tmp_path / "source").mkdir()
    (tmp_path / "target").mkdir()
    if "postgresql" in (source_backend, target_backend):
        request.getfixturevalue("postgres_server")
    source = Place(tmp_path / "source", urls[source_backend](tmp_path / "source"))
    fill(source)
    before = answers(source)
    assert before["verify"] and len(before["reads"]) == 3

    summary = backup(tmp_path / "backup", **source.places())
    assert summary.rows["audit_log"] == 4 and summary.rows["projects"] == 1
    described = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert described["database_backend"] == source_backend
    assert "store/imd2019_lsoa11/v0002.parquet" in described["files"]
    assert "state/datasets/imd2019_lsoa11/pending/7.parquet" in described["files"]
    assert "public/stories/published/my-ward/index.html" in described["files"]
    assert not [f for f in described["files"] if "governance.sqlite" in f or f.endswith("store.lock")]

    target = Place(tmp_path / "target", urls[target_backend](tmp_path / "target"))
    lines = restore(tmp_path / "backup", **target.places())
    assert any(line.startswith(f"database ({target_backend}): ") for line in lines)
    assert answers(target) == before
    assert (target.home / "datasets" / "imd2019_lsoa11" / "pending" / "7.parquet").read_bytes() == b"pending upload"
    assert (target.public / "stories" / "published" / "my-ward" / "index.html").read_text() == "<h1>My ward</h1>"
    # The restored log goes on: ids continue, the chain stays valid.
    target.audit.append(AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", rows=1))
    create_project(
        "second",
        "Second",
        "More outreach",
        "analyst1",
        date.today() + timedelta(days=9),
        datasets=[],
        members={},
        status="approved",
        eng=target.engine,
    )
    assert target.audit.verify().ok and target.audit.tail(1)[0]["id"] == 5

    with pytest.raises(BackupError, match=r"empty state, and this one is not: the database .* has rows in "):
        restore(tmp_path / "backup", **target.places())


def test_a_changed_or_incomplete_backup_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "source").mkdir()
    source = Place(tmp_path / "source", sqlite_url(tmp_path / "source"))
    fill(source)
    backup(tmp_path / "backup", **source.places())
    with pytest.raises(BackupError, match="exists already"):
        backup(tmp_path / "backup", **source.places())
    version = tmp_path / "backup" / "store" / "imd2019_lsoa11" / "v0001.parquet"
    version.write_bytes(version.read_bytes() + b"x")
    (tmp_path / "target").mkdir()
    target = Place(tmp_path / "target", sqlite_url(tmp_path / "target"))
    with pytest.raises(BackupError, match=r"store/imd2019_lsoa11/v0001.parquet: sha256 differs from backup.json"):
        restore(tmp_path / "backup", **target.places())
    assert target.store.names() == [] and not (target.home / "audit.anchor").exists()
    with pytest.raises(BackupError, match="has no backup.json"):
        restore(tmp_path / "nothing", **target.places())


def test_the_commands_back_up_and_restore_with_the_settings(tmp_path, monkeypatch, capsys):
    from commons_hub.cli import main

    (tmp_path / "source").mkdir()
    source = Place(tmp_path / "source", sqlite_url(tmp_path / "source"))
    fill(source)
    monkeypatch.delenv("COMMONS_DB_URL", raising=False)
    monkeypatch.setenv("COMMONS_CATALOG_DIR", str(source.catalog))
    monkeypatch.setenv("COMMONS_HOME", str(source.home))
    monkeypatch.setenv("COMMONS_PUBLIC_DIR", str(source.public))
    assert main(["backup", str(tmp_path / "snap")]) == 0
    assert "database rows in" in capsys.readouterr().out
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path / "fresh"))
    monkeypatch.setenv("COMMONS_PUBLIC_DIR", str(tmp_path / "fresh-public"))
    assert main(["restore", str(tmp_path / "snap")]) == 0
    assert "commons audit verify" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert main(["restore", str(tmp_path / "snap")]) != 0
    assert "Nothing was restored" in capsys.readouterr().err


def test_a_local_store_restores_into_s3_and_backs_up_from_it(tmp_path, monkeypatch):
    from tests.s3_server import ThrowawayS3

    server = ThrowawayS3(bucket="backup-test").start()
    try:
        (tmp_path / "source").mkdir()
        source = Place(tmp_path / "source", sqlite_url(tmp_path / "source"))
        fill(source)
        before = answers(source)
        backup(tmp_path / "backup", **source.places())
        for name, value in server.environment("restored").items():
            monkeypatch.setenv(name, value)
        (tmp_path / "target").mkdir()
        target = Place(tmp_path / "target", sqlite_url(tmp_path / "target"))
        assert target.store.files.url == "s3://backup-test/restored"
        restore(tmp_path / "backup", **target.places())
        assert answers(target) == before
        assert not list((target.home / "datasets").glob("*/v*"))  # the versions went to the bucket
        summary = backup(tmp_path / "again", **target.places())  # and a backup reads them back from it
        again = json.loads((tmp_path / "again" / "backup.json").read_text())
        first = json.loads((tmp_path / "backup" / "backup.json").read_text())
        assert again["store_url"] == "s3://backup-test/restored" and summary.rows == first["rows"]
        assert {k: v for k, v in again["files"].items() if k.startswith("store/")} == {
            k: v for k, v in first["files"].items() if k.startswith("store/")
        }
    finally:
        server.stop()


def test_a_backup_taken_while_entries_and_versions_are_written_is_consistent(tmp_path):
    import threading

    (tmp_path / "source").mkdir()
    source = Place(tmp_path / "source", sqlite_url(tmp_path / "source"))
    fill(source)
    stop = threading.Event()
    written = {"entries": 0, "versions": 0}

    def busy_commons():
        while not stop.is_set():
            source.audit.append(AuditEvent(actor="analyst1", action="read", dataset="imd2019_lsoa11", rows=1))
            written["entries"] += 1
            if written["entries"] % 10 == 0:
                source.store.commit(source.store.stage("busy", pa.table({"n": [written["entries"]]}), {}))
                written["versions"] += 1

    worker = threading.Thread(target=busy_commons)
    worker.start()
    try:
        while written["versions"] < 2:
            stop.wait(0.01)
        summaries = [backup(tmp_path / f"backup{i}", **source.places()) for i in range(3)]
    finally:
        stop.set()
        worker.join()
    assert written["versions"] > 2
    for i, summary in enumerate(summaries):
        (tmp_path / f"target{i}").mkdir()
        target = Place(tmp_path / f"target{i}", sqlite_url(tmp_path / f"target{i}"))
        restore(tmp_path / f"backup{i}", **target.places())
        assert target.audit.verify().ok, f"backup {i}"  # the anchor never names a missing entry
        assert target.audit.tail(1)[0]["id"] == summary.rows["audit_log"]
        versions = target.store.manifest("busy")["versions"]
        assert [v["version"] for v in versions] == list(range(1, len(versions) + 1))
        assert all(target.store.read_table("busy", v["version"]).num_rows == 1 for v in versions)
