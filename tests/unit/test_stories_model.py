"""story.yaml → Story: the real stories load; each broken story.yaml is refused with a message that says why."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from commons_kernel.exceptions import ValidationFailed
from commons_kernel.stories.model import discover, find_story, load_story
from tests.unit.stories_doubles import TOY_STORIES

pytestmark = pytest.mark.unit


def test_the_three_stories_load_with_their_parameters():
    stories = {story.slug: story for story in discover()}
    assert {"your-neighbourhood", "deprivation-across-the-region", "crime-by-area"} <= set(stories)
    assert stories["your-neighbourhood"].parameter.name == "ward"
    assert stories["deprivation-across-the-region"].parameter.extra[0].code == "E47000004"
    assert "E06000006" in stories["crime-by-area"].parameter.exclude
    for story in stories.values():
        assert story.title and story.summary and len(story.schedule.split()) == 5
        assert story.notebook.is_file() and story.module_file.is_file()
        assert story.datasets, f"{story.slug} names no datasets"


def test_places_come_from_the_dataset_plus_extras_minus_excluded():
    story = find_story("crime-by-area")
    lookup = pd.DataFrame(
        {
            "lad22_code": ["E08000012", "E06000006", "E08000012"],
            "lad22_name": ["Liverpool", "Halton", "Liverpool"],
            "ward22_code": ["a", "b", "c"],
        }
    )
    places = story.parameter.places(lambda name: lookup)
    assert [p.code for p in places] == ["E08000012", "E47000004"]


def test_ward_places_are_labelled_with_their_borough():
    story = find_story("your-neighbourhood")
    lookup = pd.DataFrame({"ward22_code": ["E05000887"], "ward22_name": ["Anfield"], "lad22_name": ["Liverpool"]})
    (place,) = story.parameter.places(lambda name: lookup)
    assert place.label == "Anfield (Liverpool)"


@pytest.fixture
def toy_copy(tmp_path):
    folder = tmp_path / "toy-story"
    shutil.copytree(TOY_STORIES / "toy-story", folder)
    return folder


@pytest.mark.parametrize(
    "change, message",
    [
        (('schedule: "0 6 * * *"', 'schedule: "every day"'), "five fields"),
        (("module: toy", "module: missing_module"), "missing_module.py is missing"),
        (("title: Toy story\n", ""), "`title:` is missing"),
        (
            ("  place:\n", "  other:\n    example: x\n    values: {dataset: d, code: c, name: n}\n  place:\n"),
            "exactly one parameter",
        ),
        (("values: {dataset: toy_places, code: code, name: name}", "values: {dataset: toy_places}"), "values.code"),
    ],
)
def test_a_broken_story_yaml_is_refused(toy_copy, change, message):
    path = toy_copy / "story.yaml"
    old, new = change
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ValidationFailed, match=message):
        load_story(toy_copy)


def test_a_change_to_the_story_changes_its_digest(toy_copy):
    before = load_story(toy_copy).code_sha()
    (toy_copy / "toy.py").write_text((toy_copy / "toy.py").read_text() + "\n# changed\n")
    assert load_story(toy_copy).code_sha() != before


def test_unknown_story_names_the_known_ones():
    with pytest.raises(ValidationFailed, match="your-neighbourhood"):
        find_story("no-such-story")
