"""One catalogue loader: commons_kernel.catalog.load_metadata reads the repository's metadata files and the store's
contributed ones; commons_hub.catalogue.Catalogue (the data-api's and the register's) keeps what it read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from commons_hub.catalogue import Catalogue
from commons_hub.store import Store
from commons_kernel.catalog import load_metadata, metadata_files
from commons_kernel.exceptions import ValidationFailed

pytestmark = pytest.mark.unit

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
SEED = "imd2019_lsoa11"


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    folder = tmp_path / "catalog" / "datasets"
    folder.mkdir(parents=True)
    shutil.copy(CATALOG / "datasets" / f"{SEED}.yaml", folder)
    return tmp_path / "catalog"


def contribute_metadata(store: Store, name: str, **changes) -> Path:
    raw = yaml.safe_load((CATALOG / "datasets" / f"{SEED}.yaml").read_text(encoding="utf-8"))
    raw.update(name=name, **changes)
    path = store.metadata_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def store_version(store: Store, name: str) -> None:
    store.commit(store.stage(name, pa.table({"n": [1]}), {"notes": []}))


def test_the_loader_reads_the_catalogue_then_the_contributed_files(tmp_path, catalog_dir):
    store = Store(tmp_path / "home")
    contribute_metadata(store, "visits", title="Food bank visits")
    contribute_metadata(store, SEED, title="Replaced by its contribution")
    assert metadata_files(catalog_dir) == [catalog_dir / "datasets" / f"{SEED}.yaml"]
    assert list(load_metadata(catalog_dir)) == [SEED]
    metadata = load_metadata(catalog_dir, store.contributed_metadata_files())
    assert sorted(metadata) == [SEED, "visits"]
    assert metadata["visits"].title == "Food bank visits"
    assert metadata[SEED].title == "Replaced by its contribution"


def test_a_broken_contributed_file_raises_naming_it_unless_the_caller_skips_it(tmp_path, catalog_dir):
    store = Store(tmp_path / "home")
    broken = contribute_metadata(store, "visits", tier="secret")
    with pytest.raises(ValidationFailed, match=str(broken)):
        load_metadata(catalog_dir, store.contributed_metadata_files())
    told = []
    metadata = load_metadata(catalog_dir, store.contributed_metadata_files(), lambda path, error: told.append(path))
    assert list(metadata) == [SEED] and told == [broken]


def test_a_contributed_file_must_carry_its_folders_name(tmp_path, catalog_dir):
    store = Store(tmp_path / "home")
    path = contribute_metadata(store, "visits")
    path.write_text(path.read_text().replace("name: visits", "name: other"))
    with pytest.raises(ValidationFailed, match="must equal 'visits'"):
        load_metadata(catalog_dir, [path])


def test_the_catalogue_sees_a_new_contribution_and_shows_stored_datasets_only(tmp_path, catalog_dir):
    store = Store(tmp_path / "home")
    catalogue = Catalogue(store, catalog_dir)
    assert list(catalogue.all()) == [SEED] and catalogue.stored() == {} and catalogue.contributed() == {}
    store_version(store, SEED)
    assert list(catalogue.stored()) == [SEED]
    contribute_metadata(store, "visits")
    assert sorted(catalogue.all()) == [SEED, "visits"] and list(catalogue.contributed()) == ["visits"]
    assert list(catalogue.stored()) == [SEED]  # metadata written, version not yet published
    store_version(store, "visits")
    assert list(catalogue.stored()) == [SEED, "visits"]


def test_a_replaced_file_is_read_again_and_a_trusted_reading_waits_for_forget(tmp_path, catalog_dir):
    store = Store(tmp_path / "home")
    path = contribute_metadata(store, "visits", title="First")
    eager, trusting = Catalogue(store, catalog_dir), Catalogue(store, catalog_dir, recheck_seconds=3600)
    assert eager.all()["visits"].title == trusting.all()["visits"].title == "First"
    path.write_text(path.read_text().replace("title: First", "title: Second"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert eager.all()["visits"].title == "Second"
    assert trusting.all()["visits"].title == "First"
    trusting.forget()
    assert trusting.all()["visits"].title == "Second"


def test_the_register_s_catalogue_skips_a_broken_contribution(tmp_path, catalog_dir):
    from commons_hub.catalogue import skip_and_warn

    store = Store(tmp_path / "home")
    contribute_metadata(store, "visits", tier="secret")
    with pytest.raises(ValidationFailed):
        Catalogue(store, catalog_dir).all()
    assert list(Catalogue(store, catalog_dir, on_invalid=skip_and_warn).all()) == [SEED]


def test_a_data_api_record_becomes_the_same_model_as_its_file(catalog_dir):
    from commons_kernel.catalog import DatasetMetadata

    meta = load_metadata(catalog_dir)[SEED]
    record = {**meta.to_dict(), "version": 3, "rows": 1000, "readable": True}  # what api/datasets adds
    assert DatasetMetadata.from_record(record) == meta
