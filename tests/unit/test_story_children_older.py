"""The children-and-older-people story without a hub: its compute over an ingested store, the disclosure rule,
and a page for every ward (the notebooks tier runs the notebook itself through the data-api)."""

from __future__ import annotations

import pytest

from commons_kernel.stories import artefacts as artefact_store
from commons_kernel.stories import kit
from commons_kernel.stories.blocks import Figure, Table, Text
from commons_kernel.stories.model import find_story
from tests.unit.stories_store_double import StoreKernel

pytestmark = pytest.mark.unit
SLUG = "children-and-older-people"


@pytest.fixture(scope="module")
def story_and_data(seeded_home):
    ck = StoreKernel(seeded_home)
    story = kit.story_module(SLUG)
    computed = story.compute(ck)
    published, reports = artefact_store.disclose_all(computed)
    data = {name: a.outline if a.outline is not None else a.frame for name, a in published.items()}
    data["sources"] = [ck.describe(name) for name in story.STORY["datasets"]]
    return story, data, ck, computed, reports


def test_the_story_is_discovered_with_a_ward_for_each_page():
    story = find_story(SLUG)
    assert story.parameter.name == "ward" and "imd2025_lsoa21" in story.datasets


def test_every_ward_has_a_page_with_words_figures_tables_and_sources(story_and_data):
    story, data, _, _, _ = story_and_data
    wards = data["areas"][data["areas"]["level"] == "ward"]
    assert len(wards) == 125
    for code, name in zip(wards["code"], wards["name"], strict=False):
        blocks = kit.page(story, data, code)
        text = "\n".join(b.markdown for b in blocks if isinstance(b, Text))
        assert name in text and "Income deprivation affecting children is the share of children under 16" in text
        assert sum(isinstance(b, Figure) for b in blocks) == 3 and sum(isinstance(b, Table) for b in blocks) == 3
        assert all(b.alt for b in blocks if isinstance(b, Figure))
        assert "Open Government Licence v3.0. Source: MHCLG, English indices of deprivation 2025" in text


def test_ward_shares_are_the_published_method_with_the_childrens_denominator(story_and_data):
    _, data, ck, _, _ = story_and_data
    areas = data["areas"].set_index("code")
    wards = ck.deprivation_summary(
        ck.read("imd2025_lsoa21"), "ward", domains=["idaci", "idaopi"], measures=["average_score"]
    ).set_index("ward22_code")
    assert areas.loc[wards.index, "idaci"].to_numpy() == pytest.approx(wards["idaci_average_score"].to_numpy())
    assert areas.loc[wards.index, "idaopi"].to_numpy() == pytest.approx(wards["idaopi_average_score"].to_numpy())
    region = data["summaries"].set_index("code").loc["E47000004"]
    assert areas.loc["E47000004", "idaci"] == pytest.approx(region["idaci_average_score"])


def test_counts_pass_the_disclosure_rule(story_and_data):
    _, data, _, computed, reports = story_and_data
    areas_report = next(r for r in reports if r["artefact"] == "areas")
    assert "children_deprived" in areas_report["checked"] and "households" in areas_report["checked"]
    raw = computed["areas"].frame
    small = raw["older_deprived"] < 10
    assert data["areas"].loc[small, "idaopi"].isna().all()
