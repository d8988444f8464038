"""Assistant uses as audit entries (commons_hub.assistant_uses, behind `POST api/assistant/uses` and `commons ask`):
the question's text is kept only when the member opted in; malformed uses are refused with a reason."""

from __future__ import annotations

import json

import pytest

from commons_hub.assistant_uses import MAX_DATASETS, MAX_QUESTION_CHARS, append_use, use_detail
from commons_hub.audit import AuditLog
from commons_hub.db import engine
from commons_kernel.exceptions import ValidationFailed

pytestmark = pytest.mark.unit

USE = {"datasets": ["imd2019_lsoa11", "imd2025_lsoa21"], "used_model": False, "answered": True}


def test_a_use_keeps_who_what_and_not_the_question():
    assert use_detail(USE) == USE
    assert use_detail({}) == {"datasets": [], "used_model": False, "answered": True}


def test_a_question_sent_without_consent_is_dropped():
    detail = use_detail({**USE, "question": "How deprived is Everton?"})
    assert "question" not in detail and "Everton" not in json.dumps(detail)
    assert use_detail({**USE, "question": "x", "share_question": False}) == USE


def test_a_shared_question_is_kept():
    assert use_detail({**USE, "question": " crime in Wirral ", "share_question": True})["question"] == "crime in Wirral"


@pytest.mark.parametrize(
    "payload, words",
    [
        (["imd2019_lsoa11"], "JSON object"),
        ({"datasets": "imd2019_lsoa11"}, "`datasets` must be a list"),
        ({"datasets": ["../etc/passwd"]}, "`datasets` must be a list"),
        ({"datasets": [f"d{i}" for i in range(MAX_DATASETS + 1)]}, f"at most {MAX_DATASETS}"),
        ({"used_model": "no"}, "`used_model` must be true or false"),
        ({"share_question": True}, "`question` is missing"),
        ({"share_question": True, "question": "x" * (MAX_QUESTION_CHARS + 1)}, "Shorten it"),
    ],
)
def test_malformed_uses_are_refused_saying_why(payload, words):
    with pytest.raises(ValidationFailed, match="Nothing was recorded") as raised:
        use_detail(payload)
    assert words in str(raised.value)


def test_append_use_writes_an_assistant_entry_to_the_chain(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    audit = AuditLog(engine(f"sqlite:///{tmp_path / 'governance.sqlite'}"), anchor=tmp_path / "audit.anchor")
    entry = append_use(audit, "ana", "user", {**USE, "question": "not shared"})
    assert (entry["actor"], entry["actor_kind"], entry["action"]) == ("ana", "user", "assistant")
    assert json.loads(entry["detail"]) == USE
    assert audit.verify().ok
