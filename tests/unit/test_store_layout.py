"""The store owns its file layout: every path under the state directory's datasets/ comes from a Store method."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from commons_hub.store import MANIFEST, Store, arrow_file

pytestmark = pytest.mark.unit


def add_version(store: Store, name: str, values: list[int]) -> dict:
    table = pa.table({"count": pa.array(values, pa.int64())})
    return store.commit(store.stage(name, table, {"notes": []}))


def test_the_working_files_of_a_contribution_are_where_the_layout_says(tmp_path):
    store = Store(tmp_path)
    root = tmp_path / "datasets"
    assert store.metadata_path("visits") == root / "visits" / "metadata.yaml"
    assert store.pending_upload("visits", 7) == root / "visits" / "pending" / "7.parquet"
    assert store.pending_report("visits", 7) == root / "visits" / "pending" / "7.report.json"
    assert store.kept_report("visits", 7) == root / "visits" / "reports" / "contribution-7.json"
    assert store.pending_upload("visits", 7).parent == store.pending_dir("visits")
    assert store.kept_report("visits", 7).parent == store.reports_dir("visits")


def test_listings_of_working_files_are_empty_before_anything_is_stored_and_then_find_them(tmp_path):
    store = Store(tmp_path)
    assert (store.contributed_metadata_files(), store.pending_files(), store.pending_dirs()) == ([], [], [])
    assert store.has_working_files() is False
    for path in (store.metadata_path("b"), store.metadata_path("a"), store.pending_upload("a", 1)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert store.contributed_metadata_files() == [store.metadata_path("a"), store.metadata_path("b")]
    assert store.pending_files() == [store.pending_upload("a", 1)]
    assert store.pending_dirs() == [store.pending_dir("a")]
    assert store.has_working_files() is True


def test_a_versions_files_and_which_files_are_the_stores_own(tmp_path):
    store = Store(tmp_path)
    entry = add_version(store, "counts", [1, 2])
    assert store.version_files(entry) == {"v0001.parquet": "parquet", "v0001.arrow": "arrow"}
    assert store.version_files({"file": "v0002.parquet"}) == {"v0002.parquet": "parquet"}  # no Arrow copy recorded
    assert arrow_file("v0003.parquet") == "v0003.arrow"
    folder = tmp_path / "datasets" / "counts"
    for name in (MANIFEST, "v0001.parquet", "v0001.arrow"):
        assert store.is_stored_file(folder / name), name
    for path in (store.metadata_path("counts"), store.pending_upload("counts", 3), tmp_path / "audit.anchor"):
        assert not store.is_stored_file(path), path
    assert json.loads(store.manifest_bytes("counts")) == store.manifest("counts")


class RecordingFiles:
    """Test double for the store's files: keeps the order of writes."""

    def __init__(self):
        self.written: list[str] = []

    def write_atomic(self, rel: str, data: bytes) -> None:
        self.written.append(rel)


def test_a_restored_dataset_gets_its_manifest_last(tmp_path):
    source = Store(tmp_path / "source")
    add_version(source, "counts", [1])
    add_version(source, "counts", [2])
    files = RecordingFiles()
    Store(tmp_path / "target", files=files).restore_dataset("counts", tmp_path / "source" / "datasets" / "counts")
    assert files.written[-1] == "counts/manifest.json"
    assert sorted(files.written[:-1]) == [f"counts/v000{n}.{kind}" for n in (1, 2) for kind in ("arrow", "parquet")]
