"""The assistant as the product builds it: data-api sources and recorder with a token, catalogue files without;
the ward gazetteer read from the ingested lookup on first use; the wire form of a use."""

from __future__ import annotations

import pytest

from commons_kernel.assistant import CatalogMetadataSource, DataApiMetadataSource
from commons_kernel.assistant.member import (
    USES_PATH,
    WARD_COLUMNS,
    WARD_LOOKUP,
    WARD_PURPOSE,
    DataApiUseRecorder,
    IngestedGazetteer,
    member_assistant,
    use_payload,
)
from tests.unit.test_assistant_places import WARDS

pytestmark = pytest.mark.unit


class RecordingClient:
    """Test double of commons_kernel.client.DataApiClient: keeps what was posted."""

    def __init__(self):
        self.posted = []

    def post_json(self, path, payload):
        self.posted.append((path, payload))
        return {"recorded": len(self.posted), "question_recorded": "question" in payload}


def test_a_use_goes_on_the_wire_without_the_question_unless_shared():
    record = {
        "event": "assistant.ask",
        "user": "ana",
        "at": "2026-11-21T10:00:00+00:00",
        "datasets": ["imd2019_lsoa11"],
        "used_model": False,
        "answered": True,
    }
    assert use_payload(record) == {"datasets": ["imd2019_lsoa11"], "used_model": False, "answered": True}
    shared = use_payload({**record, "question": "How deprived is Everton?"})
    assert shared["share_question"] is True and shared["question"] == "How deprived is Everton?"


def test_the_recorder_posts_each_use_to_the_data_api():
    client = RecordingClient()
    result = DataApiUseRecorder(client)({"datasets": ["police_crime_2021_12"], "used_model": True})
    assert client.posted == [(USES_PATH, {"datasets": ["police_crime_2021_12"], "used_model": True, "answered": True})]
    assert result["question_recorded"] is False


def test_the_gazetteer_reads_the_ingested_lookup_once_and_only_when_needed():
    calls = []

    def read(name, columns=None, purpose=None):
        calls.append((name, columns, purpose))
        return WARDS

    gazetteer = IngestedGazetteer(read)
    assert calls == []
    assert [p.code for p in gazetteer.find("How deprived is Everton?")] == ["E05000896"]
    assert gazetteer.by_code("E05000896").name == "Everton"
    assert [p.code for p in gazetteer.find("poverty in Wirral")] == ["E08000015"]
    assert calls == [(WARD_LOOKUP, WARD_COLUMNS, WARD_PURPOSE)]


def test_with_a_token_the_assistant_uses_the_data_api(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMONS_API_TOKEN", "0" * 32)
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    monkeypatch.setenv("HOME", str(tmp_path))
    assistant = member_assistant("")
    assert isinstance(assistant.source, DataApiMetadataSource)
    assert isinstance(assistant.record_use, DataApiUseRecorder)
    assert isinstance(assistant._knowledge_options["gazetteer"], IngestedGazetteer)
    assert assistant._knowledge_options["cache_path"].is_relative_to(tmp_path)
    assert assistant.model is None


def test_without_a_token_it_reads_the_catalogue_files_and_records_only_through_the_callers_hook(monkeypatch):
    for variable in ("COMMONS_API_TOKEN", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    assert isinstance(member_assistant("").source, CatalogMetadataSource)
    assert member_assistant("").record_use is None
    hook = [].append
    assert member_assistant("", record_use=hook).record_use is hook
