"""The no-model answer: citations, places, access advice for governed data, stories, use records (no model,
keyword search only, on the fixture catalogue)."""

from __future__ import annotations

from pathlib import Path

import pytest

from commons_kernel.assistant import Assistant, CatalogMetadataSource, Gazetteer
from commons_kernel.assistant.answer import Answer
from tests.unit.test_assistant_places import WARDS

pytestmark = pytest.mark.unit

FIXTURE_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "assistant_catalog"
PROJECTS = [
    {
        "slug": "early-help-demand",
        "title": "Early help demand and deprivation",
        "status": "approved",
        "active": True,
        "end_date": "2027-12-31",
        "datasets": ["synthetic_referrals"],
        "members": [{"username": "ana", "organisation": "Liverpool City Council"}],
    },
    {
        "slug": "old-study",
        "title": "An ended study",
        "status": "approved",
        "active": False,
        "end_date": "2023-01-31",
        "datasets": ["synthetic_referrals"],
        "members": [],
    },
]


def make_assistant(tmp_path, record_use=None, projects=None, stories_dir=None) -> Assistant:
    return Assistant(
        CatalogMetadataSource(FIXTURE_CATALOG, projects=projects),
        model="",
        record_use=record_use,
        gazetteer=Gazetteer(WARDS),
        stories_dir=stories_dir or tmp_path / "no-stories",
        semantic=False,
    )


@pytest.fixture
def assistant(tmp_path) -> Assistant:
    return make_assistant(tmp_path, projects=PROJECTS)


def test_answer_cites_datasets_and_gives_code(assistant):
    answer = assistant.ask("How deprived is Everton?")
    assert answer.answered and not answer.used_model
    assert answer.dataset_names[0] in {"imd2019_lsoa11", "imd2025_lsoa21"}
    first = answer.datasets[0]
    assert set(first) == {"name", "title", "licence", "tier", "score"} and first["licence"] == "OGL-UK-3.0"
    assert "Everton (E05000896) is an electoral ward" in answer.text
    assert f"ck.read('{first['name']}')" in answer.snippet and "E05000896" in answer.snippet


def test_restricted_data_gets_access_advice_and_never_rows(assistant):
    answer = assistant.ask("Can I get access to the council referrals data?")
    assert answer.dataset_names[0] == "synthetic_referrals"
    assert "restricted data: only members of an approved, active project" in answer.text
    assert "'early-help-demand' (Early help demand and deprivation, active, until 2027-12-31)" in answer.text
    assert "ck.propose_project(" in answer.text
    assert "project='YOUR-PROJECT'" in answer.snippet
    assert "person_id" not in answer.text  # not even the columns unless asked; never values


def test_a_project_member_is_told_which_project_to_name(assistant):
    answer = assistant.ask("access to the referrals data", user="ana")
    assert "You (ana) are a member of active project 'early-help-demand'" in answer.text
    assert "ck.read('synthetic_referrals', project='early-help-demand')" in answer.text


def test_community_data_says_members_may_read_it(assistant):
    answer = assistant.ask("food bank visits by ward")
    assert answer.dataset_names[0] == "synthetic_foodbank_visits"
    assert "community data: any member of the cooperative may read it" in answer.text


def test_column_questions_list_the_columns_with_units(assistant):
    answer = assistant.ask("What columns does imd2025_lsoa21 have?")
    assert answer.dataset_names[0] == "imd2025_lsoa21"
    assert "  - income_score (number) [proportion]: Income domain score" in answer.text


def test_unknown_place_names_are_admitted(assistant):
    answer = assistant.ask("Is there a lot of poverty in Bootle?")
    assert answer.answered
    assert "I don't know “Bootle” as a ward or borough name" in answer.text


def test_off_topic_questions_are_answered_plainly(assistant):
    answer = assistant.ask("Food hygiene ratings for takeaways")
    assert not answer.answered and answer.datasets == []
    assert "Nothing in it matches: hygien, rating, takeaway." in answer.text
    assert answer.snippet == "import commons_kernel as ck\n\nck.catalog()\n"


def test_empty_question(assistant):
    answer = assistant.ask("   ")
    assert not answer.answered and "Ask about data in the commons" in answer.text


def test_stories_that_use_a_dataset(tmp_path):
    story = tmp_path / "stories" / "my-neighbourhood"
    story.mkdir(parents=True)
    (story / "story.yaml").write_text("title: My neighbourhood\ndatasets: [imd2019_lsoa11, boundaries_lsoa11]\n")
    (tmp_path / "stories" / "broken").mkdir()
    (tmp_path / "stories" / "broken" / "story.yaml").write_text("title: [unclosed\n")
    assistant = make_assistant(tmp_path, stories_dir=tmp_path / "stories")
    answer = assistant.ask("Which stories use the IMD 2019 deprivation data?")
    assert "Stories that use imd2019_lsoa11: 'My neighbourhood' (stories/my-neighbourhood)." in answer.text


def test_no_stories_folder_is_an_ordinary_answer(assistant):
    answer = assistant.ask("Which stories use crime data?")
    assert "No published story uses police_crime_2021_12 yet." in answer.text


def test_each_question_is_recorded_without_its_text(tmp_path):
    records = []
    assistant = make_assistant(tmp_path, record_use=records.append)
    answer = assistant.ask("burglaries in Wirral", user="ana")
    assert len(records) == 1
    record = records[0]
    assert record["event"] == "assistant.ask" and record["user"] == "ana" and record["at"].endswith("+00:00")
    assert record["datasets"] == answer.dataset_names and record["used_model"] is False
    assert "question" not in record


def test_the_question_is_recorded_when_the_member_opts_in(tmp_path):
    records = []
    make_assistant(tmp_path, record_use=records.append).ask("burglaries in Wirral", share_question=True)
    assert records[0]["question"] == "burglaries in Wirral"


def test_no_hook_records_nothing_and_fails_nothing(tmp_path):
    assert make_assistant(tmp_path).record_use is None
    assert make_assistant(tmp_path).ask("crime").answered


def test_ask_batch_fetches_metadata_once(tmp_path):
    class CountingSource(CatalogMetadataSource):
        fetched = 0

        def datasets(self):
            CountingSource.fetched += 1
            return super().datasets()

    assistant = Assistant(
        CountingSource(FIXTURE_CATALOG), model="", gazetteer=Gazetteer(WARDS), stories_dir=tmp_path, semantic=False
    )
    answers = assistant.ask_batch(["crime in Everton", "population of Sefton", "bus timetables"])
    assert [a.answered for a in answers] == [True, True, False]
    assert CountingSource.fetched == 1


def test_answer_to_dict_round_trips():
    answer = Answer(
        "text",
        [{"name": "x", "title": "X", "licence": "OGL-UK-3.0", "tier": "open", "score": 0.5}],
        "import commons_kernel as ck\n",
        used_model=True,
    )
    assert Answer(**answer.to_dict()) == answer
    assert answer.as_markdown().endswith("```python\nimport commons_kernel as ck\n```\n")
