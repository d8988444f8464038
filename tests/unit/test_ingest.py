"""The seed ingest from the real seed files: row counts, provenance, quirk fixes, metadata agreement, new versions."""

from __future__ import annotations

import pyarrow as pa
import pytest

from commons_hub.ingest.registry import BUILDERS
from commons_hub.ingest.run import ingest
from commons_hub.store import Store, sha256_file
from commons_kernel.catalog import load_metadata

pytestmark = pytest.mark.unit

LCR_LADS = {"E06000006", "E08000011", "E08000012", "E08000013", "E08000014", "E08000015"}
CENSUS_TABLES = [
    "census2021_ts001_residence_type",
    "census2021_ts004_country_of_birth",
    "census2021_ts008_sex",
    "census2021_ts038_disability",
    "census2021_ts046_central_heating",
    "census2021_ts068_full_time_education",
]
# Rows per dataset, from ../shared/data/SOURCES.md (the figures checked when the files were collected).
EXPECTED_ROWS = {
    "lookup_lsoa11_lsoa21": 1006,
    "lookup_lsoa11_ward21": 989,
    "lookup_ward22_lad22": 125,
    "lookup_lsoa11_ward22": 989,
    "boundaries_lsoa11": 989,
    "boundaries_ward22": 125,
    "boundaries_lad22": 6,
    "boundary_lcr": 1,
    "centroids_lsoa21": 1003,
    "imd2019_lsoa11": 989,
    "imd2025_lsoa21": 1003,
    "uk_imd_composite_lsoa11": 989,
    "population_mid2019_lsoa11": 179_998,
    "police_crime_2021_12": 14_013,
    "census2021_ts011_household_deprivation": 5015,
    "synthetic_foodbank_visits": 125 * 36,
    **{name: 1210 for name in CENSUS_TABLES},
}
ARROW_TYPE_CHECKS = {
    "string": pa.types.is_string,
    "integer": pa.types.is_int64,
    "float": pa.types.is_float64,
    "date": pa.types.is_date32,
    "geometry": pa.types.is_binary,
}


@pytest.fixture(scope="module")
def store(seeded_home):
    return Store(seeded_home)


@pytest.fixture(scope="module")
def metadata():
    return load_metadata()


def latest(store, name):
    return store.manifest(name)["versions"][-1]


def test_every_builder_produced_one_version_and_at_least_15_datasets(store):
    assert store.names() == sorted(BUILDERS)
    assert len(store.names()) >= 15
    assert all(len(store.manifest(name)["versions"]) == 1 for name in store.names())


@pytest.mark.parametrize("name, rows", sorted(EXPECTED_ROWS.items()))
def test_row_counts(store, name, rows):
    assert latest(store, name)["rows"] == rows
    assert store.read_table(name).num_rows == rows


def test_synthetic_referrals_are_about_fifty_thousand(store):
    rows = latest(store, "synthetic_referrals")["rows"]
    assert 45_000 <= rows <= 56_000
    assert f"{rows} referrals over 157 weeks" in " ".join(latest(store, "synthetic_referrals")["notes"])


@pytest.mark.parametrize(
    "name, column, distinct",
    [
        ("imd2019_lsoa11", "lsoa11_code", 989),
        ("imd2025_lsoa21", "lsoa21_code", 1003),
        ("boundaries_ward22", "ward22_code", 125),
        ("lookup_lsoa11_ward22", "ward22_code", 125),
        ("boundaries_lad22", "lad22_code", 6),
        ("population_mid2019_lsoa11", "lsoa11_code", 989),
        ("lookup_lsoa11_lsoa21", "lsoa11_code", 989),
        ("lookup_lsoa11_lsoa21", "lsoa21_code", 1003),
    ],
)
def test_distinct_areas(store, name, column, distinct):
    assert len(store.read_table(name, columns=[column]).column(column).unique()) == distinct


def test_the_six_boroughs(store):
    assert set(store.read("boundaries_lad22")["lad22_code"]) == LCR_LADS
    assert set(store.read("lookup_ward22_lad22")["lad22_code"]) == LCR_LADS


def test_population_totals_by_borough_match_the_source(store):
    population = store.read("population_mid2019_lsoa11")
    totals = population.groupby("lad19_name")["population"].sum().to_dict()
    assert totals == {
        "Liverpool": 498_042,
        "Wirral": 324_011,
        "Sefton": 276_410,
        "St. Helens": 180_585,
        "Knowsley": 150_862,
        "Halton": 129_410,
    }
    assert population.groupby("lsoa11_code").size().eq(91 * 2).all()


def test_thousands_separators_became_numbers(store):
    imd = store.read("imd2019_lsoa11").set_index("lsoa11_code")
    assert imd.loc["E01006414", "imd_rank"] == 1297  # "1,297" in File 1
    assert imd.loc["E01006412", "pop_total"] == 1489  # "1,489" in File 6
    assert imd["imd_rank"].between(1, 32_844).all()
    notes = " ".join(latest(store, "imd2019_lsoa11")["notes"])
    assert 'removed thousands separators (e.g. "29,199") from imd_rank, pop_total' in notes


def test_provenance_names_every_seed_file_with_its_sha256(store, metadata, seed_dir):
    for name in store.names():
        sources = latest(store, name)["sources"]
        assert [s["file"] for s in sources] == list(dict.fromkeys(metadata[name].source["files"])), name
        for source in sources:
            assert source["sha256"] == sha256_file(seed_dir / source["file"]), (name, source["file"])
        assert latest(store, name)["ingested_at"].endswith("+00:00")


def test_crs_notes_and_stored_crs(store):
    lsoa_notes = " ".join(latest(store, "boundaries_lsoa11")["notes"])
    assert "CRS declared urn:ogc:def:crs:OGC:1.3:CRS84; stored as EPSG:4326" in lsoa_notes
    ward_notes = " ".join(latest(store, "boundaries_ward22")["notes"])
    assert "CRS declared none (RFC 7946: WGS84 longitude/latitude)" in ward_notes
    assert "British National Grid (EPSG:27700)" in " ".join(latest(store, "centroids_lsoa21")["notes"])
    for name in [
        "boundaries_lsoa11",
        "boundaries_ward22",
        "boundaries_lad22",
        "boundary_lcr",
        "centroids_lsoa21",
        "police_crime_2021_12",
    ]:
        assert store.read(name).crs.to_epsg() == 4326, name


def test_centroids_were_reprojected_into_the_region(store):
    points = store.read("centroids_lsoa21")
    region = store.read("boundary_lcr").geometry.iloc[0].buffer(0.01)
    assert points.geometry.within(region).mean() > 0.99
    assert points["x_bng"].between(300_000, 380_000).all()  # metres east, kept as published


def test_the_four_invalid_polygons_were_repaired_and_noted(store):
    notes = " ".join(latest(store, "boundaries_lsoa11")["notes"])
    assert (
        "repaired 4 invalid polygon(s) with shapely make_valid: E01006453, E01006527, E01007009, E01007154."
    ) in notes
    assert store.read("boundaries_lsoa11").geometry.is_valid.all()
    assert store.read("boundaries_ward22").geometry.is_valid.all()


def test_built_columns_and_types_equal_the_metadata(store, metadata):
    for name in store.names():
        schema = store.read_table(name).schema
        declared = metadata[name].columns
        assert schema.names == [c["name"] for c in declared], name
        for column in declared:
            arrow_type = schema.field(column["name"]).type
            assert ARROW_TYPE_CHECKS[column["type"]](arrow_type), (name, column["name"], str(arrow_type))


def test_synthetic_datasets_say_so_everywhere(store, metadata):
    synthetic = {name for name, meta in metadata.items() if meta.synthetic}
    assert synthetic == {name for name, item in BUILDERS.items() if item.synthetic}
    assert synthetic == {"synthetic_referrals", "synthetic_foodbank_visits"}
    for name in synthetic:
        meta, entry = metadata[name], latest(store, name)
        assert "synthetic" in meta.title.lower() and "synthetic" in meta.description.lower(), name
        assert entry["synthetic"] is True and entry["notes"][0].startswith("SYNTHETIC:"), name
        assert any("synthetic" in note.lower() for note in meta.quality_notes), name
    for name in set(metadata) - synthetic:
        assert "synthetic" not in metadata[name].title.lower(), name
        assert latest(store, name)["synthetic"] is False, name


def test_a_changed_source_file_makes_a_new_version(state_copy, linked_seed_dir, seed_dir):
    filename = "mysociety_uk_imd_e_lsoa11_lcr.csv"
    text = (seed_dir / filename).read_text()
    assert ",E01006547,84.368," in text
    (linked_seed_dir / filename).unlink()
    (linked_seed_dir / filename).write_text(text.replace(",E01006547,84.368,", ",E01006547,84.5,", 1))
    store = Store(state_copy)
    first = latest(store, "uk_imd_composite_lsoa11")
    others = {name: store.manifest(name) for name in store.names() if name != "uk_imd_composite_lsoa11"}

    result = ingest(linked_seed_dir, home=state_copy)

    assert result.created == ["uk_imd_composite_lsoa11"]
    assert {name: store.manifest(name) for name in others} == others
    versions = store.manifest("uk_imd_composite_lsoa11")["versions"]
    assert [v["version"] for v in versions] == [1, 2] and versions[0] == first
    assert versions[1]["file"] == "v0002.parquet" and versions[0]["file"] == "v0001.parquet"
    assert sha256_file(store.parquet_path("uk_imd_composite_lsoa11", 1)) == first["sha256"]
    assert versions[1]["sources"][0]["sha256"] == sha256_file(linked_seed_dir / filename)
    assert versions[1]["sources"][0]["sha256"] != first["sources"][0]["sha256"]
    score = {
        v: store.read("uk_imd_composite_lsoa11", version=v).set_index("lsoa11_code").loc["E01006547", "imd2019_score"]
        for v in (1, 2)
    }
    assert score == {1: 84.368, 2: 84.5}


def test_the_operators_page_names_every_seed_file_and_dataset():
    from commons_kernel.config import PROJECT_ROOT

    page = (PROJECT_ROOT / "docs" / "operators" / "ingest.md").read_text(encoding="utf-8")
    for item in BUILDERS.values():
        assert f"`{item.name}`" in page, item.name
        for filename in item.files:
            assert f"`{filename}`" in page, filename
