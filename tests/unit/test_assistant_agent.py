"""Agent plumbing with a scripted chat model: tools are bound and called, their results reach the model, the
answer cites what the tools returned, mistakes come back as text, and a failing model falls back."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from commons_kernel.assistant import Assistant, CatalogMetadataSource, Gazetteer
from commons_kernel.assistant.agent import resolve_model
from commons_kernel.exceptions import ConfigurationError
from tests.unit.scripted_model import FailingChatModel, ScriptedChatModel, call, last_tool_result
from tests.unit.test_assistant_places import WARDS

pytestmark = pytest.mark.unit

FIXTURE_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "assistant_catalog"
TOOLS = ["search_datasets", "describe_dataset", "how_to_get_access", "code_snippet", "stories_using"]


def make_assistant(model, tmp_path, **options) -> Assistant:
    return Assistant(
        CatalogMetadataSource(FIXTURE_CATALOG),
        model=model,
        gazetteer=Gazetteer(WARDS),
        stories_dir=tmp_path,
        semantic=False,
        **options,
    )


def tool_messages(model: ScriptedChatModel) -> list[ToolMessage]:
    return [m for m in model.seen[-1] if isinstance(m, ToolMessage)]


def test_tools_are_called_and_their_results_used(tmp_path):
    def final(messages):
        assert "imd2019_lsoa11" in last_tool_result(messages)  # the code tool's output reached the model
        return AIMessage(content="Use imd2019_lsoa11 (Index of Multiple Deprivation 2019, OGL-UK-3.0).")

    model = ScriptedChatModel.from_steps(
        call("search_datasets", "c1", query="deprivation Everton"),
        call("describe_dataset", "c2", name="imd2019_lsoa11"),
        call("code_snippet", "c3", name="imd2019_lsoa11", place="Everton"),
        final,
    )
    answer = make_assistant(model, tmp_path).ask("How deprived is Everton?")
    assert model.bound_tools == TOOLS
    assert answer.used_model and answer.answered
    assert answer.text.startswith("Use imd2019_lsoa11")
    assert answer.dataset_names == ["imd2019_lsoa11"]
    assert answer.datasets[0]["licence"] == "OGL-UK-3.0" and 0 < answer.datasets[0]["score"] <= 1
    assert "ck.read('imd2019_lsoa11')" in answer.snippet and "E05000896" in answer.snippet
    search, describe, code = tool_messages(model)
    assert "imd2019_lsoa11 (score" in search.content and "Everton (E05000896)" in search.content
    assert "Columns:" in describe.content and "imd_score" in describe.content


def test_an_unknown_dataset_comes_back_to_the_model_as_advice(tmp_path):
    model = ScriptedChatModel.from_steps(
        call("describe_dataset", "c1", name="imd2019"),
        lambda messages: call("describe_dataset", "c2", name="imd2019_lsoa11"),
        AIMessage(content="Here it is."),
    )
    answer = make_assistant(model, tmp_path).ask("describe the 2019 IMD")
    mistake = tool_messages(model)[0]
    assert mistake.content.startswith("Error: No dataset called 'imd2019'. Did you mean 'imd2019_lsoa11'")
    assert answer.dataset_names == ["imd2019_lsoa11"]  # the wrong name is never cited


def test_a_malformed_tool_call_is_reported_not_fatal(tmp_path):
    model = ScriptedChatModel.from_steps(
        call("describe_dataset", "c1"),  # "name" is missing
        AIMessage(content="Sorry, let me search instead."),
    )
    answer = make_assistant(model, tmp_path).ask("describe something")
    [error] = tool_messages(model)
    assert error.status == "error" and "name" in error.content
    assert answer.text == "Sorry, let me search instead." and answer.datasets == []


def test_restricted_data_gets_access_advice_from_the_tool(tmp_path):
    model = ScriptedChatModel.from_steps(
        call("how_to_get_access", "c1", name="synthetic_referrals"),
        lambda messages: AIMessage(content=last_tool_result(messages)),
    )
    answer = make_assistant(model, tmp_path).ask("Show me the referral rows for E01006512")
    assert "restricted data" in answer.text and "ck.propose_project(" in answer.text
    assert answer.dataset_names == ["synthetic_referrals"]
    assert "project='YOUR-PROJECT'" in answer.snippet


def test_search_only_cites_the_hits_the_model_mentions(tmp_path):
    model = ScriptedChatModel.from_steps(
        call("search_datasets", "c1", query="crime"),
        AIMessage(content="police_crime_2021_12 has street-level crime."),
    )
    answer = make_assistant(model, tmp_path).ask("crime?")
    assert answer.dataset_names == ["police_crime_2021_12"]


def test_a_failing_model_falls_back_to_the_catalogue(tmp_path, caplog):
    answer = make_assistant(FailingChatModel(), tmp_path).ask("burglaries in Wirral")
    assert not answer.used_model
    assert answer.text.startswith("(The language model could not answer: ConnectionError: model provider")
    assert answer.dataset_names[0] == "police_crime_2021_12"
    assert "assistant model failed" in caplog.text


def test_tools_never_read_data(tmp_path, monkeypatch):
    """Every tool on every dataset, with each way of reading rows booby-trapped: none is touched."""
    import commons_hub.store
    import commons_kernel.api

    def trap(*args, **kwargs):
        raise AssertionError("the assistant tried to read data")

    monkeypatch.setattr(commons_kernel.api, "read", trap)
    monkeypatch.setattr(commons_kernel.api, "client", trap)
    monkeypatch.setattr(commons_hub.store.Store, "read", trap)
    monkeypatch.setattr(commons_hub.store.Store, "read_table", trap)
    names = sorted(make_assistant("", tmp_path).knowledge.datasets)
    every_call = AIMessage(
        content="",
        tool_calls=[  # one turn, many calls: the agent runs them all
            {"name": tool, "args": {"name": name}, "id": f"{tool}-{name}", "type": "tool_call"}
            for name in names
            for tool in TOOLS
            if tool != "search_datasets"
        ],
    )
    model = ScriptedChatModel.from_steps(every_call, AIMessage(content="done"))
    answer = make_assistant(model, tmp_path).ask("everything about everything")
    assert answer.used_model and sorted(answer.dataset_names) == names  # parallel calls: any order
    results = tool_messages(model)
    assert len(results) == 4 * len(names)
    assert all(not m.content.startswith("Error") for m in results)


def test_use_is_recorded_for_model_answers_too(tmp_path):
    records = []
    model = ScriptedChatModel.from_steps(
        call("code_snippet", "c1", name="boundaries_ward22"), AIMessage(content="Done.")
    )
    make_assistant(model, tmp_path, record_use=records.append).ask("ward map", user="bo")
    assert records[0]["datasets"] == ["boundaries_ward22"] and records[0]["used_model"] is True


def test_no_model_setting_means_no_model(monkeypatch):
    monkeypatch.setenv("COMMONS_ASSISTANT_MODEL", "")
    assert resolve_model(None) is None
    assert resolve_model("") is None
    model = ScriptedChatModel.from_steps()
    assert resolve_model(model) is model


@pytest.mark.parametrize("spec", ["nosuchprovider:model", "no-provider-named"])
def test_an_unusable_model_setting_is_refused_with_a_hint(monkeypatch, spec):
    monkeypatch.setenv("COMMONS_ASSISTANT_MODEL", spec)
    with pytest.raises(ConfigurationError, match="COMMONS_ASSISTANT_MODEL to empty"):
        Assistant(CatalogMetadataSource(FIXTURE_CATALOG))
