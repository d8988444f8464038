"""The question set (assistant_questions.yaml) against the project's own catalogue, without a language model.

Loads the real embedding model once for the module (~9 s) and answers every question in one batch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from commons_kernel.assistant import Assistant, CatalogMetadataSource, Gazetteer
from commons_kernel.catalog import load_metadata

pytestmark = [pytest.mark.unit, pytest.mark.slow]

QUESTIONS = yaml.safe_load((Path(__file__).with_name("assistant_questions.yaml")).read_text())["questions"]
ANSWERABLE = [q for q in QUESTIONS if not q.get("no_answer")]
UNANSWERABLE = [q for q in QUESTIONS if q.get("no_answer")]
TOP = 3
REQUIRED_ACCURACY = 0.9


@pytest.fixture(scope="module")
def answers(tmp_path_factory, seed_dir):
    if not load_metadata():
        pytest.skip("catalog/datasets/ is empty in this checkout")
    assistant = Assistant(
        CatalogMetadataSource(),
        model="",
        gazetteer=Gazetteer.from_seed_lookup(seed_dir / "lookup_wd22_lad22_cty_rgn_ctry_lcr.csv"),
        cache_path=tmp_path_factory.mktemp("assistant") / "index.npz",
    )
    batch = assistant.ask_batch([q["q"] for q in QUESTIONS])
    return {q["q"]: answer for q, answer in zip(QUESTIONS, batch, strict=False)}


def test_the_question_set_is_big_enough_and_mixed():
    assert len(ANSWERABLE) >= 30
    assert {q["style"] for q in ANSWERABLE} == {"resident", "analyst"}
    names = set(load_metadata())
    unknown = {e for q in ANSWERABLE for e in q["expect"]} - names
    assert not unknown, f"expected datasets not in the catalogue: {unknown}"


def test_top3_accuracy_without_a_model(answers):
    misses = [
        (q["q"], answers[q["q"]].dataset_names[:TOP], q["expect"])
        for q in ANSWERABLE
        if not set(q["expect"]) & set(answers[q["q"]].dataset_names[:TOP])
    ]
    accuracy = 1 - len(misses) / len(ANSWERABLE)
    assert accuracy >= REQUIRED_ACCURACY, f"top-{TOP} accuracy {accuracy:.0%}; misses: {misses}"


@pytest.mark.parametrize("question", [q["q"] for q in UNANSWERABLE])
def test_says_plainly_when_the_catalogue_cannot_answer(answers, question):
    answer = answers[question]
    assert not answer.answered and answer.datasets == []
    assert answer.text.startswith("The catalogue does not seem to hold data that answers this.")


@pytest.mark.parametrize("question", [q for q in ANSWERABLE if q.get("places")], ids=lambda q: q["q"])
def test_places_in_the_question_are_named_in_the_answer(answers, question):
    for code in question["places"]:
        assert code in answers[question["q"]].text


def test_citations_are_in_rank_order_with_title_and_licence(answers):
    for question in ANSWERABLE:
        cited = answers[question["q"]].datasets
        assert cited, question["q"]
        assert [c["score"] for c in cited] == sorted((c["score"] for c in cited), reverse=True)
        assert all(c["title"] and c["licence"] and c["tier"] for c in cited)
        assert cited[0]["name"] in answers[question["q"]].text


def test_every_snippet_is_valid_python_that_uses_commons_kernel(answers):
    for question, answer in answers.items():
        compile(answer.snippet, question, "exec")
        assert answer.snippet.startswith("import commons_kernel as ck\n")
