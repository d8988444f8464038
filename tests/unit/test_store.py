"""The versioned Parquet store: staging is invisible, commit is the switch, versions are immutable."""

from __future__ import annotations

import os

import geopandas
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from shapely.geometry import Point

from commons_hub import store as store_module
from commons_hub.ingest.run import to_arrow
from commons_hub.store import Store, atomic_write_bytes, sha256_file
from commons_kernel.exceptions import DatasetNotFound

pytestmark = pytest.mark.unit


def table(values):
    return pa.table({"lsoa11_code": [f"E0100{v:04d}" for v in values], "count": pa.array(values, pa.int64())})


def add_version(store, name, values, **entry):
    return store.commit(store.stage(name, table(values), {"notes": [], **entry}))


def test_an_empty_store_has_no_names_and_says_what_to_do(tmp_path):
    store = Store(tmp_path)
    assert store.names() == []
    with pytest.raises(DatasetNotFound, match=r"No dataset called 'imd'\. List them with"):
        store.manifest("imd")


def test_home_defaults_to_the_commons_home_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    assert Store().root == tmp_path.resolve() / "datasets"


def test_commit_writes_parquet_arrow_and_manifest(tmp_path):
    store = Store(tmp_path)
    entry = add_version(store, "counts", [1, 2, 3], sources=[{"file": "a.csv", "sha256": "0" * 64}])

    folder = tmp_path / "datasets" / "counts"
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "v0001.arrow", "v0001.parquet"]
    assert entry["version"] == 1 and entry["file"] == "v0001.parquet" and entry["rows"] == 3
    assert entry["sha256"] == sha256_file(folder / "v0001.parquet")
    assert entry["bytes"] == (folder / "v0001.parquet").stat().st_size
    assert store.manifest("counts") == {"name": "counts", "versions": [entry]}
    assert store.names() == ["counts"]
    assert store.read_table("counts").equals(table([1, 2, 3]))
    arrow = store.version_bytes("counts", store.version_entry("counts"), kind="arrow")
    assert ipc.open_stream(pa.BufferReader(arrow)).read_all().equals(table([1, 2, 3]))


def test_a_staged_version_is_invisible_until_commit(tmp_path):
    store = Store(tmp_path)
    add_version(store, "counts", [1])
    staged = store.stage("counts", table([1, 2]), {"notes": []})
    assert staged.parquet_tmp.name.startswith(".staged.") and staged.parquet_tmp.exists()
    assert len(store.manifest("counts")["versions"]) == 1 and store.read_table("counts").num_rows == 1
    first_new = store.stage("fresh", table([5]), {"notes": []})
    assert store.names() == ["counts"]
    store.discard(first_new)
    assert not first_new.parquet_tmp.exists() and not first_new.arrow_tmp.exists()


def test_versions_are_immutable_and_readable_by_number(tmp_path):
    store = Store(tmp_path)
    first = add_version(store, "counts", [1])
    v1_bytes = (tmp_path / "datasets" / "counts" / "v0001.parquet").read_bytes()
    second = add_version(store, "counts", [1, 2])

    assert (first["version"], second["version"]) == (1, 2)
    assert (tmp_path / "datasets" / "counts" / "v0001.parquet").read_bytes() == v1_bytes
    assert store.read("counts", version=1)["count"].tolist() == [1]
    assert store.read("counts")["count"].tolist() == [1, 2]
    assert store.version_entry("counts") == second
    assert store.read("counts", columns=["count"]).columns.tolist() == ["count"]
    with pytest.raises(DatasetNotFound, match="counts version 3"):
        store.version_entry("counts", 3)


def test_sweep_removes_only_staged_leftovers(tmp_path):
    store = Store(tmp_path)
    add_version(store, "counts", [1])
    leftover = store.stage("counts", table([9]), {"notes": []})  # as if the process died here
    store.sweep_staged()
    assert not leftover.parquet_tmp.exists() and not leftover.arrow_tmp.exists()
    assert sorted(p.name for p in (tmp_path / "datasets" / "counts").iterdir()) == [
        "manifest.json",
        "v0001.arrow",
        "v0001.parquet",
    ]


def test_close_names_are_suggested(tmp_path):
    store = Store(tmp_path)
    add_version(store, "imd2019_lsoa11", [1])
    with pytest.raises(DatasetNotFound, match=r"Did you mean 'imd2019_lsoa11'\?"):
        store.manifest("imd2019_lsoa")


def test_atomic_write_keeps_the_old_file_when_the_switch_fails(tmp_path, monkeypatch):
    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b"old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["manifest.json"]


def test_geoparquet_comes_back_as_a_geodataframe(tmp_path):
    store = Store(tmp_path)
    frame = geopandas.GeoDataFrame(
        {"code": ["a", "b"]}, geometry=[Point(-2.98, 53.41), Point(-3.0, 53.4)], crs="EPSG:4326"
    )
    store.commit(store.stage("points", to_arrow(frame), {"notes": []}))
    back = store.read("points")
    assert isinstance(back, geopandas.GeoDataFrame) and back.crs.to_epsg() == 4326
    assert back.geometry.equals(frame.geometry)
    plain = store.read("points", columns=["code", "geometry"])
    assert isinstance(plain, geopandas.GeoDataFrame)


def test_a_geo_dataset_read_without_geometry_is_plain_pandas(tmp_path):
    store = Store(tmp_path)
    frame = geopandas.GeoDataFrame({"code": ["a"]}, geometry=[Point(-2.98, 53.41)], crs="EPSG:4326")
    store.commit(store.stage("points", to_arrow(frame), {"notes": []}))
    assert isinstance(store.read("points", columns=["code"]), pd.DataFrame)


def test_publishing_under_a_decided_number_is_repeatable_and_never_replaces_a_version(tmp_path):
    store = Store(tmp_path)
    first = store.publish(store.stage("counts", table([1]), {"notes": [], "contribution": 7}), 1)
    again = store.stage("counts", table([1]), {"notes": [], "contribution": 7})
    assert store.publish(again, 1) == first and not again.parquet_tmp.exists()  # a retry: same entry back
    with pytest.raises(FileExistsError, match="counts version 1 is already published"):
        store.publish(store.stage("counts", table([2]), {"notes": [], "contribution": 8}), 1)
    store.publish(store.stage("counts", table([3]), {"notes": [], "contribution": 9}), 3)
    store.publish(store.stage("counts", table([2]), {"notes": [], "contribution": 8}), 2)  # late, still in order
    assert [v["version"] for v in store.manifest("counts")["versions"]] == [1, 2, 3]
    assert store.read("counts")["count"].tolist() == [3]


def test_the_sweep_removes_version_files_no_manifest_lists(tmp_path):
    store = Store(tmp_path)
    add_version(store, "counts", [1])
    folder = tmp_path / "datasets" / "counts"
    (folder / "v0002.parquet").write_bytes(b"renamed just before a crash")
    (folder / "v0002.arrow").write_bytes(b"")
    (tmp_path / "datasets" / "fresh").mkdir()
    (tmp_path / "datasets" / "fresh" / "v0001.parquet").write_bytes(b"first version, never listed")
    assert len(store.sweep()) == 3 and store.sweep() == []
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "v0001.arrow", "v0001.parquet"]
    assert store.read("counts")["count"].tolist() == [1]


def test_concurrent_commits_lose_no_version(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    store = Store(tmp_path)
    staged = [store.stage("counts", table([n]), {"notes": []}) for n in range(8)]
    with ThreadPoolExecutor(4) as pool:
        numbers = sorted(entry["version"] for entry in pool.map(store.commit, staged))
    assert numbers == list(range(1, 9))
    assert [v["version"] for v in store.manifest("counts")["versions"]] == numbers
