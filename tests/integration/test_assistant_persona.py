"""The Commons Guide persona in a real JupyterLab spawned by the hub: registered in the server's persona manager,
answering a message sent over the chat panel's own WebSocket (jupyterlab_chat without collaboration), reading
wards from the ingested lookup and recording the use, without the question, in the audit log."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest

from commons_hub.install import GUIDE_PERSONA_ID
from commons_kernel.assistant.member import WARD_PURPOSE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

USER = "analyst1"
QUESTION = "How deprived is Everton?"
ANSWER_TIMEOUT = 150  # first answer in a fresh server: persona import, embedding model load, index build


def audit_entries(hub) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "tail", "-n", "1000", "--json"],
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def assistant_uses(hub, actor: str) -> list[dict]:
    return [
        {**e, "detail": json.loads(e["detail"])}
        for e in audit_entries(hub)
        if e["action"] == "assistant" and e["actor"] == actor
    ]


async def chat_exchange(hub, user: str, chat_path: str, body: str, timeout: float) -> dict:
    """Connect to the chat like the chat panel does, wait for the guide to join, send ``body`` to it and return
    {"users": {...}, "reply": message, "frames": [...]}."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{hub.port}/user/{user}/api/chat/ws/{quote(chat_path)}"
    conn = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {hub.token(user)}"}))
    users, frames, reply, sent_id = {}, [], None, None
    deadline = time.monotonic() + timeout
    try:
        while reply is None:
            if sent_id is None and GUIDE_PERSONA_ID in users:
                sent_id = uuid.uuid4().hex
                await conn.write_message(
                    json.dumps(
                        {
                            "type": "client",
                            "action": "send",
                            "id": sent_id,
                            "body": body,
                            "metadata": {"to_persona": GUIDE_PERSONA_ID},
                        }
                    )
                )
            raw = await asyncio.wait_for(conn.read_message(), timeout=max(0.5, deadline - time.monotonic()))
            if raw is None:
                raise AssertionError(f"the chat WebSocket closed; frames so far: {frames}")
            frame = json.loads(raw)
            frames.append(frame)
            users.update(frame.get("users") or {})
            message = frame.get("message") or {}
            if frame.get("action") == "message" and message.get("sender") == GUIDE_PERSONA_ID and message.get("body"):
                reply = message
    finally:
        conn.close()
    return {"users": users, "reply": reply, "frames": frames}


@pytest.fixture(scope="module")
def guide_reply(hub):
    """One real exchange with the guide, shared by the assertions below (the first answer costs ~20-40 s)."""
    hub.spawn(USER)
    chat_path = f"guide-{uuid.uuid4().hex[:8]}.chat"
    put = hub.server_api(
        USER, "PUT", f"api/contents/{chat_path}", json={"type": "file", "format": "text", "content": "{}"}
    )
    assert put.status_code in (200, 201), put.text
    before = len(assistant_uses(hub, USER))
    started = time.monotonic()
    try:
        exchange = asyncio.run(chat_exchange(hub, USER, chat_path, f"@Commons-Guide {QUESTION}", ANSWER_TIMEOUT))
    except TimeoutError:
        pytest.fail(f"no answer from the guide within {ANSWER_TIMEOUT} s; hub log:\n{hub.log_tail(120)}")
    exchange["seconds"] = time.monotonic() - started
    exchange["uses_before"] = before
    return exchange


def test_the_guide_is_registered_in_the_servers_persona_manager(guide_reply):
    guide = guide_reply["users"][GUIDE_PERSONA_ID]
    assert guide["display_name"] == "Commons Guide" and guide["bot"] is True
    assert guide["avatar_url"].endswith("api/ai/avatars/" + quote(GUIDE_PERSONA_ID, safe=""))


def test_the_lab_preselects_the_guide_in_new_chats(hub, guide_reply):
    page = hub.server_api(USER, "GET", "lab")
    assert page.status_code == 200
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page.text, re.S)
    assert json.loads(config.group(1))["jupyter_ai_default_persona"] == GUIDE_PERSONA_ID


def test_the_guide_answers_in_the_chat_with_cited_datasets_and_code(guide_reply):
    body = guide_reply["reply"]["body"]
    assert "From the catalogue, best match first:" in body
    assert "1. imd2019_lsoa11" in body or "1. imd2025_lsoa21" in body
    assert "Everton (E05000896) is an electoral ward" in body
    assert "```python\nimport commons_kernel as ck" in body
    assert "not your question's text" in body


def test_the_guide_reads_wards_from_the_ingested_lookup_as_the_member(hub, guide_reply):
    reads = [
        e
        for e in audit_entries(hub)
        if e["action"] == "read" and e["actor"] == USER and e["dataset"] == "lookup_ward22_lad22"
    ]
    assert reads and reads[-1]["outcome"] == "ok" and reads[-1]["rows"] > 100
    assert reads[-1]["purpose"] == WARD_PURPOSE


def test_the_question_is_recorded_as_a_use_without_its_text(hub, guide_reply):
    uses = assistant_uses(hub, USER)
    assert len(uses) == guide_reply["uses_before"] + 1
    use = uses[-1]
    assert use["actor_kind"] == "user" and use["outcome"] == "ok"
    assert use["detail"]["datasets"][0] in {"imd2019_lsoa11", "imd2025_lsoa21"}
    assert use["detail"]["datasets"][0] in guide_reply["reply"]["body"]
    assert use["detail"]["used_model"] is False and "question" not in use["detail"]
    assert "Everton" not in json.dumps(use)


def test_the_chat_panel_and_the_one_shot_api_reach_the_same_guide(hub, guide_reply):
    # jupyter_ai_persona_manager's REST route answers through a fresh persona in the same server process.
    response = hub.server_api(
        USER, "POST", f"api/ai/message/{quote('Commons Guide')}", json={"message": "crime in Tuebrook and Stoneycroft"}
    )
    assert response.status_code == 200, response.text
    text = response.json()["response"]
    assert "police_crime_2021_12" in text and "E05000910" in text
    avatar = hub.server_api(USER, "GET", f"api/ai/avatars/{quote(GUIDE_PERSONA_ID, safe='')}")
    assert avatar.status_code == 200 and b"<svg" in avatar.content
