"""The code the assistant writes runs: every dataset's snippet, for a ward, a borough and an LSOA, executed
against the real ingested data (the seeded state directory) with a stand-in for ``commons_kernel``.

The stand-in (a test double) reads from the store directly, since there is no data-api here, and gives
``aggregate`` and ``link`` the geography hierarchy, as ``ck.aggregate`` / ``ck.link`` do in a kernel.
"""

from __future__ import annotations

import types

import pytest

from commons_kernel.assistant.places import Gazetteer
from commons_kernel.assistant.snippets import code_snippet, link_snippet
from commons_kernel.catalog import load_metadata

pytestmark = [pytest.mark.unit, pytest.mark.slow]

PLACES = {"ward": "Everton", "borough": "Sefton", "lsoa": "E01006512", "none": ""}


@pytest.fixture(scope="module")
def kernel_double(seeded_home):
    from commons_hub.store import Store
    from commons_kernel import geography

    store = Store(seeded_home)
    frames: dict = {}

    def read(name, project=None, **kwargs):
        if name not in frames:
            frames[name] = store.read(name)
        return frames[name].copy()

    hierarchy = geography.Hierarchy.from_reader(read)
    ck = types.SimpleNamespace(
        read=read,
        aggregate=lambda frame, to, **rules: geography.aggregate(frame, to, hierarchy=hierarchy, **rules),
        link=lambda a, b, **options: geography.link(a, b, hierarchy=hierarchy, **options),
        catalog=lambda: sorted(store.names()),
    )
    return ck, set(store.names())


@pytest.fixture(scope="module")
def gazetteer(seed_dir):
    return Gazetteer.from_seed_lookup(seed_dir / "lookup_wd22_lad22_cty_rgn_ctry_lcr.csv")


def run(snippet: str, ck) -> dict:
    body = snippet.replace("import commons_kernel as ck\n", "", 1)
    namespace = {"ck": ck}
    exec(compile(body, "<snippet>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("name", sorted(load_metadata()))
def test_snippet_runs_on_the_real_data(kernel_double, gazetteer, name, place):
    ck, ingested = kernel_double
    if name not in ingested:
        pytest.skip(f"{name} is not in the seeded store")
    meta = load_metadata()[name].to_dict()
    places = gazetteer.find(PLACES[place])
    snippet = code_snippet(meta, places)
    namespace = run(snippet, ck)
    columns = {c["name"] for c in meta["columns"]}
    small_areas = columns & {"lsoa11_code", "lsoa21_code", "area_code"}
    if place in ("ward", "borough") and small_areas:
        assert "here" in namespace, f"{name}: the snippet does not pick out {PLACES[place]}:\n{snippet}"
    if "here" in namespace:
        assert len(namespace["here"]) > 0, f"{name}: no rows for {PLACES[place]}:\n{snippet}"
    if meta["tier"] == "restricted":
        assert "project='YOUR-PROJECT'" in snippet


def test_aggregated_ward_values_are_used_when_the_rule_is_known(kernel_double, gazetteer):
    ck, _ = kernel_double
    meta = load_metadata()["imd2019_lsoa11"].to_dict()
    namespace = run(code_snippet(meta, gazetteer.find("Everton")), ck)
    here = namespace["here"]
    assert list(here["ward22_code"]) == ["E05000896"]
    assert "imd_score" in here.columns and here["imd_score"].iloc[0] > 30  # Everton is among the most deprived


def test_link_snippet_runs(kernel_double):
    ck, _ = kernel_double
    metadata = load_metadata()
    snippet = link_snippet(metadata["imd2019_lsoa11"].to_dict(), metadata["uk_imd_composite_lsoa11"].to_dict())
    linked = run(snippet, ck)["linked"]
    assert len(linked) == 989
