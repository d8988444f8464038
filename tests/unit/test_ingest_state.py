"""What ingest leaves in the state directory: nothing new when nothing changed, nothing at all when a seed file
is bad, and a consistent store (each dataset old or new, never half) after a crash in the middle of committing.

Each bad-seed case is one small file in tests/fixtures/bad_seed/<case>/, laid over a linked copy of the real seed
directory; the state directory starts from a real ingest so "left as it was" is checked against real content.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from commons_hub.ingest.run import ingest
from commons_hub.store import Store
from commons_kernel.exceptions import SeedFileError

pytestmark = pytest.mark.unit

BAD_SEED = Path(__file__).resolve().parent.parent / "fixtures" / "bad_seed"


def snapshot(home: Path) -> dict[str, str]:
    """Every path under ``home`` with the sha256 of its bytes (or "dir"), so any change shows up."""
    return {
        str(path.relative_to(home)): "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.rglob("*"))
    }


def overlay(seed: Path, case: str) -> list[str]:
    """Replace the linked seed files with the broken ones of ``case``; returns their names. The fixtures are
    stored as ``STEM.broken.EXT`` so that nothing in the project can pass for a seed file."""
    names = []
    for broken in sorted((BAD_SEED / case).glob("*.broken.*")):
        name = broken.name.replace(".broken.", ".")
        (seed / name).unlink()
        (seed / name).write_bytes(broken.read_bytes())
        names.append(name)
    return names


def test_a_second_run_creates_nothing_and_changes_no_byte(state_copy, seed_dir):
    before = snapshot(state_copy)
    assert len(before) > 50

    result = ingest(seed_dir, home=state_copy)

    assert result.created == [] and sorted(result.unchanged) == Store(state_copy).names()
    assert "0 dataset version(s) created" in result.summary()
    assert snapshot(state_copy) == before


BAD_CASES = {
    # case: (file, line, words of the problem)
    "truncated_row": (
        "lookup_wd22_lad22_cty_rgn_ctry_lcr.csv",
        4,
        ["the row has 4 fields, the header 11", "truncated"],
    ),
    "too_few_lsoas": (
        "mysociety_uk_imd_e_lsoa11_lcr.csv",
        None,
        ["covers 3 distinct LSOAs (2011)", "has 989", "truncated or filtered"],
    ),
    "wrong_columns": (
        "lsoa21_population_weighted_centroids_lcr.csv",
        1,
        ["missing column(s) 'LSOA21CD'", "'LSOA21CODE'"],
    ),
    "non_utf8": ("lookup_wd22_lad22_cty_rgn_ctry_lcr.csv", 3, ["byte 0x92", "is not UTF-8", "iconv -f cp1252"]),
    "empty_file": ("census2021_ts011_household_deprivation_lsoa21_lcr.csv", 1, ["the file is empty"]),
    "malformed_geojson": ("combined_authority_dec2022_lcr.geojson", 4, ["not valid JSON", "truncated"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_a_bad_seed_file_is_named_and_nothing_is_written(case, state_copy, linked_seed_dir):
    filename, line, words = BAD_CASES[case]
    assert overlay(linked_seed_dir, case) == [filename]
    before = snapshot(state_copy)

    with pytest.raises(SeedFileError) as raised:
        ingest(linked_seed_dir, home=state_copy)

    error, message = raised.value, str(raised.value)
    assert Path(error.path).name == filename and filename in message
    assert error.line == line
    if line is not None:
        assert f"line {line}" in message
    for word in words:
        assert word in message
    assert message.endswith("The state directory was left as it was.")
    assert snapshot(state_copy) == before


def test_a_missing_seed_file_is_named_and_nothing_is_written(state_copy, linked_seed_dir):
    (linked_seed_dir / "iod2025_lsoa21_lcr.csv").unlink()
    before = snapshot(state_copy)

    with pytest.raises(SeedFileError, match=r"iod2025_lsoa21_lcr\.csv: the file is missing\. Fix: put "):
        ingest(linked_seed_dir, home=state_copy)

    assert snapshot(state_copy) == before


def test_a_missing_seed_directory_is_named(tmp_path):
    with pytest.raises(SeedFileError, match="the seed directory does not exist"):
        ingest(tmp_path / "nowhere", home=tmp_path / "home")
    assert not (tmp_path / "home").exists()


def test_bom_and_spaces_around_header_names_are_fixed_and_noted(state_copy, linked_seed_dir):
    (filename,) = overlay(linked_seed_dir, "bom_and_header_spaces")

    result = ingest(linked_seed_dir, home=state_copy)

    assert result.created == ["police_crime_2021_12"]
    store = Store(state_copy)
    entry = store.manifest("police_crime_2021_12")["versions"][-1]
    assert entry["version"] == 2 and entry["rows"] == 3
    assert f"{filename}: dropped the UTF-8 byte-order mark." in entry["notes"]
    assert f"{filename}: removed spaces around column names." in entry["notes"]
    crimes = store.read("police_crime_2021_12")
    assert crimes["crime_id"].tolist() == ["test-crime-1", "", "test-crime-3"]
    assert crimes["longitude"].tolist() == [-2.871911, -2.977, -3.02]


def test_a_crash_while_committing_leaves_each_dataset_whole(state_copy, linked_seed_dir, seed_dir, monkeypatch):
    """Commit renames one dataset at a time. A crash after the first leaves that dataset on its new version, the
    rest on their old versions (manifests untouched), and the crashed one's staged files hidden beside it. The
    next run sweeps those files and finishes the job."""
    changed = {
        "mysociety_uk_imd_e_lsoa11_lcr.csv": ("84.368", "84.5"),
        "lsoa21_population_weighted_centroids_lcr.csv": ("338132.9044", "338132.9"),
    }
    for filename, (old, new) in changed.items():
        text = (seed_dir / filename).read_text()
        (linked_seed_dir / filename).unlink()
        (linked_seed_dir / filename).write_text(text.replace(old, new, 1))
    store = Store(state_copy)
    manifests = {name: store.manifest(name) for name in store.names()}
    committed = []
    real_commit = Store.commit

    def commit_then_crash(self, staged):
        if committed:
            raise OSError("simulated power cut during commit")
        committed.append(staged.name)
        return real_commit(self, staged)

    monkeypatch.setattr(Store, "commit", commit_then_crash)
    with pytest.raises(OSError, match="simulated power cut"):
        ingest(linked_seed_dir, home=state_copy)

    (first,) = committed
    (second,) = {"uk_imd_composite_lsoa11", "centroids_lsoa21"} - {first}
    assert [v["version"] for v in store.manifest(first)["versions"]] == [1, 2]
    assert {n: store.manifest(n) for n in manifests if n != first} == {n: m for n, m in manifests.items() if n != first}
    assert store.read_table(second).num_rows > 0  # readers still see the old version whole
    leftovers = sorted(p.name for p in (state_copy / "datasets" / second).glob(".staged.*"))
    assert len(leftovers) == 2 and not list((state_copy / "datasets" / second).glob("v0002.*"))

    monkeypatch.setattr(Store, "commit", real_commit)
    result = ingest(linked_seed_dir, home=state_copy)

    assert result.created == [second]
    assert not list((state_copy / "datasets").glob("*/.staged.*"))
    assert [v["version"] for v in store.manifest(second)["versions"]] == [1, 2]
    assert [v["version"] for v in store.manifest(first)["versions"]] == [1, 2]


def test_a_failed_first_ingest_creates_no_state_at_all(tmp_path, linked_seed_dir):
    overlay(linked_seed_dir, "truncated_row")
    home = tmp_path / "fresh"
    with pytest.raises(SeedFileError, match="line 4"):
        ingest(linked_seed_dir, home=home)
    assert not home.exists()


def test_a_geojson_with_a_byte_order_mark_is_read_and_noted(state_copy, linked_seed_dir, seed_dir):
    filename = "combined_authority_dec2022_lcr.geojson"
    (linked_seed_dir / filename).unlink()
    (linked_seed_dir / filename).write_bytes(b"\xef\xbb\xbf" + (seed_dir / filename).read_bytes())

    result = ingest(linked_seed_dir, home=state_copy)

    assert result.created == ["boundary_lcr"]
    store = Store(state_copy)
    assert f"{filename}: dropped the UTF-8 byte-order mark." in store.manifest("boundary_lcr")["versions"][-1]["notes"]
    assert store.read("boundary_lcr", version=2).geometry.equals(store.read("boundary_lcr", version=1).geometry)


def test_a_geojson_declared_in_british_national_grid_is_reprojected_or_refused(tmp_path):
    import json

    from commons_hub.ingest.seed import SeedReader

    (tmp_path / "bng.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"CAUTH22CD": "E47000004"},
                        "geometry": {"type": "Point", "coordinates": [338132.9, 402662.6]},
                    }
                ],
            }
        )
    )
    try:
        frame = SeedReader(tmp_path).geojson("bng.geojson", ["CAUTH22CD"])
    except SeedFileError:
        return
    point = frame.geometry.iloc[0]
    assert -3.5 < point.x < -2.0 and 53.0 < point.y < 54.0
