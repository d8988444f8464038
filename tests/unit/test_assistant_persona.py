"""The Commons Guide persona in jupyter-ai's own PersonaManager over a real jupyterlab_chat WebSocket chat model
(no server): loaded from its entry point, routed a message by ``to_persona``, answering with the assistant and
recording the use without the question unless the member's setting says so."""

from __future__ import annotations

import asyncio
import time
import uuid
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from commons_hub.install import GUIDE_PERSONA_ID
from commons_kernel.assistant import Assistant, CatalogMetadataSource, Gazetteer
from commons_kernel.assistant.jupyter_ai import persona as guide
from commons_kernel.exceptions import DataApiUnavailable
from tests.unit.test_assistant_places import WARDS

pytestmark = pytest.mark.unit

FIXTURE_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "assistant_catalog"


@pytest.fixture
def records(tmp_path):
    records = []
    guide.reset_guide_assistant(
        Assistant(
            CatalogMetadataSource(FIXTURE_CATALOG),
            model="",
            record_use=records.append,
            gazetteer=Gazetteer(WARDS),
            stories_dir=tmp_path / "none",
            semantic=False,
        )
    )
    yield records
    guide.reset_guide_assistant()


def manager_and_chat(root: Path):
    from jupyter_ai_persona_manager import PersonaManager
    from jupyterlab_chat.websocket_model import WsChatModel

    (root / "guide.chat").write_text("{}")
    chat = WsChatModel(path="guide.chat", root_dir=root)
    chat.load_from_file()
    return PersonaManager(chat=chat, root_dir=str(root), event_loop=asyncio.get_running_loop()), chat


async def ask_in_chat(root: Path, body: str, metadata: dict | None = None, timeout: float = 20) -> tuple:
    from jupyterlab_chat.models import Message

    manager, chat = manager_and_chat(root)
    message = Message(
        id=uuid.uuid4().hex,
        body=body,
        time=time.time(),
        sender="ana",
        metadata={"to_persona": GUIDE_PERSONA_ID, **(metadata or {})},
    )
    manager.on_chat_message(chat.get_id(), message)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = [m for m in chat.get_messages() if m.sender == GUIDE_PERSONA_ID]
        if replies:
            return manager, replies
        await asyncio.sleep(0.05)
    raise AssertionError("the guide did not reply")


def test_the_entry_point_names_the_guide():
    [point] = [p for p in entry_points().select(group="jupyter_ai.personas") if p.name == "commons-guide"]
    assert point.load() is guide.CommonsGuidePersona


def test_the_persona_manager_loads_the_guide_under_the_id_the_hub_makes_default(tmp_path):
    async def scenario():
        manager, chat = manager_and_chat(tmp_path)
        return manager.personas, chat.get_users()

    personas, users = asyncio.run(scenario())
    persona = personas[GUIDE_PERSONA_ID]
    assert persona.name == "Commons Guide" and Path(persona.defaults.avatar_path).read_text().startswith("<svg")
    assert users[GUIDE_PERSONA_ID].bot is True
    assert persona.get_settings() == {"share_question": "no"}
    assert persona.get_model() == "catalogue-search"


def test_a_message_to_the_guide_gets_the_assistants_answer(tmp_path, records, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    _, [reply] = asyncio.run(ask_in_chat(tmp_path, "@Commons-Guide How deprived is Everton?"))
    assert reply.body.startswith("From the catalogue, best match first:")
    assert "E05000896" in reply.body and "```python\nimport commons_kernel as ck" in reply.body
    assert reply.body.rstrip().endswith("not your question's text._")
    [record] = records
    assert record["user"] == "ana" and record["datasets"] and "question" not in record


def test_the_member_may_choose_to_record_the_question(tmp_path, records):
    _, [reply] = asyncio.run(
        ask_in_chat(tmp_path, "@Commons-Guide crime in Wirral", {"settings": {"share_question": "yes"}})
    )
    assert "and your question, as you chose" in reply.body
    assert records[0]["question"] == "crime in Wirral"


def test_a_commons_error_is_said_plainly(tmp_path):
    class Unreachable:  # test double: an assistant whose data-api is down
        @property
        def knowledge(self):
            raise DataApiUnavailable("http://127.0.0.1:1/services/data-api/", "ConnectionError")

        def ask(self, *args, **kwargs):
            return self.knowledge

    guide.reset_guide_assistant(Unreachable())
    try:
        _, [reply] = asyncio.run(ask_in_chat(tmp_path, "crime in Wirral"))
    finally:
        guide.reset_guide_assistant()
    assert (
        reply.body.startswith(
            "I could not answer: The data-api at http://127.0.0.1:1/services/data-api/ did not answer"
        )
        and "Traceback" not in reply.body
    )


def test_user_servers_default_to_the_guide_with_mcp_off_and_the_operators_model(tmp_path, monkeypatch):
    from traitlets.config import Config

    from commons_hub.install import install

    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.setenv("COMMONS_ASSISTANT_MODEL", "ollama:llama3")
    c = Config()
    install(c)
    assert f"--PersonaManager.default_persona_id={GUIDE_PERSONA_ID}" in c.Spawner.args
    assert "--PersonaManager.builtin_mcp_servers=[]" in c.Spawner.args
    assert "--ServerApp.jpserver_extensions=jupyter_server_mcp=False" in c.Spawner.args
    for needed in ("jupyter_ai_persona_manager", "jupyter_ai_router", "jupyterlab_chat"):
        assert not any(needed in arg and arg.endswith("=False") for arg in c.Spawner.args)
    assert c.Spawner.environment["COMMONS_ASSISTANT_MODEL"] == "ollama:llama3"
