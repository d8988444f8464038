"""Dataset metadata in catalog/datasets/: complete, licensed, attributed, and strict about bad files."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from commons_hub.ingest.registry import BUILDERS
from commons_kernel.catalog import TIERS, load_metadata, parse_metadata, search
from commons_kernel.config import PROJECT_ROOT
from commons_kernel.exceptions import ValidationFailed

pytestmark = pytest.mark.unit

COLUMN_TYPES = {"string", "integer", "float", "date", "geometry"}
CATALOG = PROJECT_ROOT / "catalog"


@pytest.fixture(scope="module")
def metadata():
    return load_metadata(CATALOG)


def test_at_least_15_datasets_and_one_builder_each(metadata):
    import commons_hub.ingest.run  # noqa: F401  (registers every builder)

    assert len(metadata) >= 15
    assert set(metadata) == set(BUILDERS)


def test_every_dataset_has_a_licence_and_an_attribution(metadata):
    for name, meta in metadata.items():
        assert meta.licence in {"OGL-UK-3.0", "CC-BY-4.0"}, name
        assert meta.licence_url.startswith("https://"), name
        assert len(meta.attribution) > 30 and meta.publisher, name
        assert meta.tier in TIERS, name


def test_every_restricted_dataset_names_its_owner(metadata):
    restricted = [meta for meta in metadata.values() if meta.tier == "restricted"]
    assert restricted
    assert all(meta.owner for meta in restricted)


def test_columns_are_typed_unique_and_hold_the_code_column(metadata):
    for name, meta in metadata.items():
        names = [column["name"] for column in meta.columns]
        assert len(names) == len(set(names)), name
        assert {column["type"] for column in meta.columns} <= COLUMN_TYPES, name
        assert all(column.get("description") for column in meta.columns), name
        assert meta.geography["code_column"] in names, name


def test_search_finds_datasets_by_keyword(metadata):
    assert "imd2019_lsoa11" in [name for name, _ in search("deprivation", metadata)[:3]]
    assert search("crime", metadata)[0][0] == "police_crime_2021_12"
    assert search("ward boundaries", metadata)[0][0] == "boundaries_ward22"
    assert search("  ", metadata) == []


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def valid_raw(metadata):
    return metadata["boundary_lcr"].to_dict()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw.pop("licence"), "missing required field(s) licence"),
        (lambda raw: raw.pop("attribution"), "missing required field(s) attribution"),
        (lambda raw: raw.update(tier="secret"), "tier 'secret' is not one of open, community, restricted"),
        (lambda raw: raw.update(name="other"), "name 'other' must equal 'boundary_lcr'"),
        (lambda raw: raw.update(licnce="typo"), "unknown field(s) licnce"),
    ],
)
def test_a_bad_metadata_file_is_refused_with_the_reason(tmp_path, metadata, change, message):
    raw = valid_raw(metadata)
    change(raw)
    path = tmp_path / "boundary_lcr.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValidationFailed) as raised:
        parse_metadata(path)
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(
        tmp_path,
        "broken",
        """\
        name: broken
        title: [unclosed
        """,
    )
    with pytest.raises(ValidationFailed, match=r"broken\.yaml, line 3, column 1: not valid YAML"):
        parse_metadata(path)


def test_the_valid_copy_parses_back_equal(tmp_path, metadata):
    path = tmp_path / "boundary_lcr.yaml"
    path.write_text(yaml.safe_dump(valid_raw(metadata)))
    assert parse_metadata(path) == metadata["boundary_lcr"]
