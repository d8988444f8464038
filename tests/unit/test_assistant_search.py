"""Keyword side of the hybrid search: stemming, synonyms, field weights, coverage and exact names (no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from commons_kernel.assistant.lexical import KeywordIndex, stem, words
from commons_kernel.assistant.places import Gazetteer
from commons_kernel.assistant.search import HybridSearch
from commons_kernel.assistant.synonyms import expand, trigger_phrases
from commons_kernel.catalog import load_metadata

pytestmark = pytest.mark.unit

FIXTURE_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "assistant_catalog"


@pytest.fixture(scope="module")
def datasets() -> list[dict]:
    return [meta.to_dict() for meta in load_metadata(FIXTURE_CATALOG).values()]


@pytest.fixture(scope="module")
def keyword_search(datasets) -> HybridSearch:
    return HybridSearch(datasets)  # no index, no encoder: keyword only


@pytest.mark.parametrize(
    "a, b",
    [
        ("deprivation", "deprived"),
        ("crimes", "crime"),
        ("households", "household"),
        ("boundaries", "boundary"),
        ("heating", "heated"),
    ],
)
def test_stems_meet(a, b):
    assert stem(a) == stem(b)


def test_words_split_snake_case_and_vintages():
    assert words("lsoa11_code of the IMD") == ["lsoa11", "lsoa", "code", "imd"]


@pytest.mark.parametrize(
    "question, term",
    [
        ("Is there poverty here?", "deprivation"),
        ("families facing hardship", "income"),
        ("burglary on my road", "crime"),
        ("antisocial behaviour", "police"),
        ("how many residents", "population"),
        ("people born abroad", "country of birth"),
        ("cold homes", "central heating"),
    ],
)
def test_synonyms_map_everyday_words_to_catalogue_words(question, term):
    assert term in expand(question)


def test_synonyms_match_whole_words_only():
    assert "deprivation" not in expand("feeling poorly")
    assert trigger_phrases("feeling poorly") == []


def test_title_words_outweigh_column_words(datasets):
    index = KeywordIndex(datasets)
    scores = index.scores("central heating", [])
    assert max(scores, key=scores.get) == "census2021_ts046_central_heating"


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Is there a lot of poverty in Bootle?", "imd2019_lsoa11"),
        ("burglaries in Wirral", "police_crime_2021_12"),
        ("How do I convert LSOA 2011 codes to LSOA 2021?", "lookup_lsoa11_lsoa21"),
        ("food bank visits by ward", "synthetic_foodbank_visits"),
    ],
)
def test_keyword_search_ranks_the_right_dataset_in_the_top_three(keyword_search, question, expected):
    result = keyword_search.search(question, Gazetteer().find(question))
    assert expected in [hit.name for hit in result.hits[:3]]
    assert result.answerable


def test_a_dataset_named_outright_comes_first(keyword_search):
    result = keyword_search.search("what columns does census2021_ts008_sex have?")
    assert result.hits[0].name == "census2021_ts008_sex"
    assert "named in the question" in result.hits[0].reasons


def test_unknown_words_lower_the_confidence(keyword_search):
    result = keyword_search.search("Food hygiene ratings for takeaways")
    assert result.hits[0].name == "synthetic_foodbank_visits"  # "food" alone matches...
    assert set(result.unknown_words) == {"hygien", "rating", "takeaway"}
    assert result.coverage == pytest.approx(0.25)
    assert not result.answerable  # ...but the catalogue cannot answer


def test_place_names_are_not_topics(keyword_search):
    # A bare borough name is a question about the place: understood, and searched at the borough level.
    gazetteer = Gazetteer()
    result = keyword_search.search("Sefton", gazetteer.find("Sefton"))
    assert result.coverage == 1.0 and result.unknown_words == []
    assert "local authority" in result.expansions


def test_empty_question_is_not_answerable(keyword_search):
    assert not keyword_search.search("   ").answerable
