"""Catalogue exports: DCAT-AP JSON-LD (read back as RDF), Frictionless descriptors (validated by frictionless),
and the generated datasets page of the analysts' docs."""

from __future__ import annotations

import json
import warnings

import pytest
from frictionless import Package
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from commons_hub.exports import (
    BEGIN,
    DATASETS_PAGE,
    END,
    datasets_markdown,
    dcat_catalog,
    frictionless_package,
    with_datasets_table,
)
from commons_hub.store import Store, sha256_file
from commons_kernel.catalog import load_metadata
from commons_kernel.exceptions import ValidationFailed

pytestmark = pytest.mark.unit

BASE = "https://commons.example.org/"
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module")
def metadata():
    return load_metadata()


@pytest.fixture(scope="module")
def graph(metadata):
    document = json.dumps(dcat_catalog(metadata, BASE.rstrip("/")))
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser uses its deprecated ConjunctiveGraph; nothing for us to fix.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=document, format="json-ld")


def test_the_dcat_document_is_a_catalog_of_every_dataset(metadata):
    document = dcat_catalog(metadata, BASE)
    assert document["@type"] == "dcat:Catalog"
    assert document["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert [d["dct:identifier"] for d in document["dcat:dataset"]] == sorted(metadata)


def test_dcat_read_as_rdf_gives_every_dataset_licence_publisher_and_access(graph, metadata):
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = list(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == len(metadata) >= 15
    for dataset in datasets:
        name = str(graph.value(dataset, DCTERMS.identifier))
        meta = metadata[name]
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        assert graph.value(dataset, DCTERMS.title) == Literal(meta.title)
        assert graph.value(dataset, DCTERMS.license) == URIRef(meta.licence_url)
        assert graph.value(dataset, DCTERMS.rights) == Literal(meta.attribution)
        assert graph.value(graph.value(dataset, DCTERMS.publisher), FOAF.name) == Literal(meta.publisher)
        assert {str(k) for k in graph.objects(dataset, DCAT.keyword)} == set(meta.tags)
        assert graph.value(dataset, DCTERMS.temporal) == Literal(meta.period)
        spatial = graph.value(dataset, DCTERMS.spatial)
        assert spatial == URIRef("http://statistics.data.gov.uk/id/statistical-geography/E47000004")
        assert str(graph.value(spatial, SKOS.prefLabel)).startswith("Liverpool City Region (Halton")
        assert meta.geography_label in str(graph.value(graph.value(dataset, DCAT.distribution), DCTERMS.description))
        (distribution,) = graph.objects(dataset, DCAT.distribution)
        assert graph.value(distribution, DCAT.accessURL) == URIRef(f"{BASE}services/data-api/api/datasets/{name}")
        assert graph.value(distribution, DCTERMS.format) == Literal("Parquet")
        assert graph.value(distribution, DCTERMS.license) == URIRef(meta.licence_url)


def test_dcat_access_rights_follow_the_tier(graph):
    rights = {
        str(graph.value(d, DCTERMS.identifier)): str(graph.value(d, DCTERMS.accessRights)).rsplit("/", 1)[1]
        for d in graph.subjects(RDF.type, DCAT.Dataset)
    }
    assert rights["synthetic_referrals"] == "NON_PUBLIC"
    assert rights["synthetic_foodbank_visits"] == "RESTRICTED"
    assert rights["imd2019_lsoa11"] == "PUBLIC"


def test_dcat_contact_and_official_source(graph):
    imd = next(graph.subjects(DCTERMS.identifier, Literal("imd2019_lsoa11")))
    assert graph.value(imd, DCTERMS.source) == URIRef(
        "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019"
    )
    contact = graph.value(imd, DCAT.contactPoint)
    assert graph.value(contact, Namespace("http://www.w3.org/2006/vcard/ns#").hasEmail) == URIRef(
        "mailto:data@lcr-commons.example"
    )


@pytest.mark.parametrize("name", sorted(load_metadata()))
def test_every_frictionless_descriptor_is_valid(metadata, name):
    descriptor = frictionless_package(metadata[name], base_url=BASE)
    assert [error.message for error in Package.metadata_validate(descriptor)] == []
    package = Package(descriptor)
    resource = package.resources[0]
    assert resource.path == f"{BASE}services/data-api/api/datasets/{name}/data?format=parquet"
    assert [f.name for f in resource.schema.fields] == [c["name"] for c in metadata[name].columns]
    assert package.licenses[0]["path"] == metadata[name].licence_url


def test_frictionless_field_types_and_units(metadata):
    def fields_of(name):
        return frictionless_package(metadata[name])["resources"][0]["schema"]["fields"]

    fields = {f["name"]: f for f in fields_of("imd2019_lsoa11")}
    assert fields["lsoa11_code"]["type"] == "string" and "unit" not in fields["lsoa11_code"]
    assert fields["imd_score"]["type"] == "number" and fields["imd_score"]["unit"] == "score"
    assert fields["pop_total"]["type"] == "integer" and fields["pop_total"]["unit"] == "people"
    (week,) = [f for f in fields_of("synthetic_referrals") if f["name"] == "week_start"]
    assert week["type"] == "date"
    geometry = fields_of("boundaries_ward22")[-1]
    assert geometry["name"] == "geometry" and geometry["type"] == "any" and "WKB" in geometry["description"]


def test_frictionless_with_a_manifest_points_at_the_latest_parquet_and_its_hash(metadata, seeded_home):
    store = Store(seeded_home)
    for name in ["imd2019_lsoa11", "boundaries_lsoa11", "synthetic_referrals"]:
        manifest = store.manifest(name)
        descriptor = frictionless_package(metadata[name], manifest)
        assert [error.message for error in Package.metadata_validate(descriptor)] == []
        resource = Package(descriptor, basepath=str(seeded_home)).resources[0]
        assert resource.path == f"datasets/{name}/v0001.parquet"
        assert resource.hash == f"sha256:{sha256_file(seeded_home / resource.path)}"
        assert resource.bytes == (seeded_home / resource.path).stat().st_size
        assert [f.name for f in resource.schema.fields] == store.read_table(name).column_names
        assert descriptor["version"] == "1" and descriptor["created"] == manifest["versions"][-1]["ingested_at"]


def test_synthetic_packages_say_so(metadata):
    descriptor = frictionless_package(metadata["synthetic_referrals"])
    assert descriptor["synthetic"] is True and descriptor["tier"] == "restricted"
    assert "SYNTHETIC" in descriptor["title"] and "SYNTHETIC" in descriptor["description"]


def test_an_unknown_column_type_is_refused_with_the_file(metadata):
    from dataclasses import replace

    broken = replace(metadata["boundary_lcr"], columns=[{"name": "x", "type": "decimal", "description": "d"}])
    with pytest.raises(ValidationFailed, match=r"boundary_lcr\.yaml: column 'x' has type 'decimal'"):
        frictionless_package(broken)


def test_the_committed_datasets_page_is_up_to_date(metadata):
    page = DATASETS_PAGE.read_text(encoding="utf-8")
    assert page == with_datasets_table(page, metadata), (
        "docs/analysts/data.md is out of date: run `python -m commons_hub.exports` and commit it."
    )
    assert BEGIN in page and END in page


def test_the_datasets_table_has_tier_geography_licence_and_attribution(metadata):
    table = datasets_markdown(metadata)
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(metadata)
    mysociety = next(row for row in rows if row.startswith("| `uk_imd_composite_lsoa11`"))
    assert "| open | LSOA 2011 |" in mysociety
    assert "[CC-BY-4.0](https://creativecommons.org/licenses/by/4.0/)" in mysociety
    assert "Composite UK IMD by mySociety" in mysociety
    assert "| restricted |" in next(row for row in rows if row.startswith("| `synthetic_referrals`"))
    assert all(row.count(" | ") == 6 for row in rows)
    assert f"{len(metadata)} datasets: 21 open, 1 community, 1 restricted; 2 of them SYNTHETIC" in table


def test_a_page_without_markers_is_refused(metadata):
    with pytest.raises(ValidationFailed, match="markers"):
        with_datasets_table("# Data\n", metadata)
