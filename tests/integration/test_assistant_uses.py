"""Assistant uses through the real data-api: `POST api/assistant/uses` (caller from the token, the question only when
shared), `commons ask --batch --json` with a member's token, and `%ask` in a real kernel of a spawned server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from tests.integration.test_assistant_persona import assistant_uses, audit_entries

pytestmark = pytest.mark.integration

USES = "api/assistant/uses"


def post_use(hub, payload, token: str | None = None):
    headers = {"Authorization": f"token {token}"} if token else {}
    return requests.post(f"{hub.url}/services/data-api/{USES}", json=payload, headers=headers, timeout=30)


def test_recording_a_use_needs_a_token_with_the_data_api_scope(hub):
    before = len([e for e in audit_entries(hub) if e["action"] == "assistant"])
    assert post_use(hub, {"datasets": []}).status_code == 403  # no token, no cookie: refused by the XSRF check
    forged = post_use(hub, {"datasets": []}, "0" * 32)
    assert forged.status_code == 401 and forged.json()["error"] == "not-authenticated"
    narrow = hub.token("analyst2", scopes=["read:users:name!user=analyst2"])
    response = post_use(hub, {"datasets": []}, narrow)
    assert response.status_code == 403 and response.json()["error"] == "missing-scope"
    assert len([e for e in audit_entries(hub) if e["action"] == "assistant"]) == before


def test_the_question_is_recorded_only_when_the_member_shares_it(hub):
    token = hub.token("analyst2")
    quiet = post_use(hub, {"datasets": ["imd2019_lsoa11"], "question": "How deprived is Everton?"}, token)
    assert quiet.status_code == 201 and quiet.json()["question_recorded"] is False
    shared = post_use(
        hub, {"datasets": ["police_crime_2021_12"], "share_question": True, "question": "crime in Wirral"}, token
    )
    assert shared.status_code == 201 and shared.json()["question_recorded"] is True
    by_id = {u["id"]: u for u in assistant_uses(hub, "analyst2")}
    assert by_id[quiet.json()["recorded"]]["detail"] == {
        "datasets": ["imd2019_lsoa11"],
        "used_model": False,
        "answered": True,
    }
    assert by_id[shared.json()["recorded"]]["detail"]["question"] == "crime in Wirral"
    assert by_id[shared.json()["recorded"]]["actor_kind"] == "user"


def test_a_malformed_use_is_refused_with_the_reason(hub):
    response = post_use(hub, {"datasets": "imd2019_lsoa11"}, hub.token("analyst2"))
    assert response.status_code == 422 and "`datasets` must be a list" in response.json()["reason"]
    not_json = requests.post(
        f"{hub.url}/services/data-api/{USES}",
        data=b"{nope",
        headers={"Authorization": f"token {hub.token('analyst2')}"},
        timeout=30,
    )
    assert not_json.status_code == 400 and not_json.json()["error"] == "bad-json"


@pytest.mark.slow
def test_commons_ask_batch_with_a_token_answers_through_the_data_api(hub, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text("How deprived is Everton?\ncrime in Tuebrook and Stoneycroft\n")
    before = len(assistant_uses(hub, "steward"))
    env = {**hub.env, "COMMONS_API_TOKEN": hub.token("steward"), "COMMONS_SEED_DIR": ""}
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "ask", "--batch", str(questions), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["datasets"][0]["name"] for a in answers][1] == "police_crime_2021_12"
    assert "imd" in answers[0]["datasets"][0]["name"] and answers[0]["datasets"][0]["title"]
    assert "Everton (E05000896)" in answers[0]["answer"]  # wards from the ingested lookup (no seed directory)
    uses = assistant_uses(hub, "steward")[before:]
    assert [u["detail"]["datasets"] for u in uses] == [[d["name"] for d in a["datasets"]] for a in answers]
    assert all("question" not in u["detail"] for u in uses)


@pytest.mark.slow
def test_ask_magic_in_a_kernel_answers_and_records_the_use(hub):
    hub.spawn("analyst1")
    before = len(assistant_uses(hub, "analyst1"))
    out = hub.execute("analyst1", "%ask crime in Tuebrook and Stoneycroft", timeout=180)
    assert out["error"] is None, out
    assert "1. police_crime_2021_12" in out["stdout"] and "The code is in the next cell." in out["stdout"]
    uses = assistant_uses(hub, "analyst1")[before:]
    assert [u["detail"]["datasets"][0] for u in uses] == ["police_crime_2021_12"]
    assert "question" not in uses[0]["detail"]
