"""The "Commons Guide": a jupyter-ai persona that answers in the chat panel with the commons' assistant.

It runs inside the member's own JupyterLab server, so it asks as that member: the data-api sees the server's
token, the access advice is theirs, and each question is recorded as their assistant use (datasets cited; the
text only when they choose "Record my question: yes" in the persona's settings). With the ``assistant_model``
setting empty it answers from the catalogue alone (no language model); with a model named there, the langchain
agent answers. One assistant serves every chat of the server, so the embedding model loads once.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import threading
from pathlib import Path

from jupyter_ai_persona_manager import BasePersona, PersonaDefaults
from jupyter_ai_persona_manager.awareness_models import (
    ModelConfiguration,
    ModelOption,
    SettingConfiguration,
    SettingOption,
)

from commons_kernel import config
from commons_kernel.assistant.agent import SYSTEM_PROMPT
from commons_kernel.assistant.answer import Answer
from commons_kernel.assistant.magic import reset_assistant, shared_assistant
from commons_kernel.exceptions import CommonsError

NAME = "Commons Guide"
AVATAR = Path(__file__).with_name("commons-guide.svg")
DESCRIPTION = (
    "Finds data in the LCR Data Commons catalogue, explains access and writes commons_kernel code. "
    "Sees metadata only, never rows."
)
SHARE_SETTING = "share_question"
NO_MODEL = "catalogue-search"
BUSY = "is searching the catalogue..."

_assistant_lock = threading.Lock()  # one question at a time: the index and the model are built once, then shared

# The process's one assistant is the same one %ask uses (``member_assistant``: data-api metadata, ingested wards,
# uses recorded through the data-api), built on first use.
guide_assistant = shared_assistant
reset_guide_assistant = reset_assistant


def answer_question(question: str, user: str | None, share_question: bool) -> Answer:
    """Blocking: run it off the server's event loop."""
    with _assistant_lock:
        return guide_assistant().ask(question, user=user, share_question=share_question)


def warm_up() -> None:
    """Blocking: fetch the metadata, load the embedding model and the index, read the wards."""
    with _assistant_lock:
        knowledge = guide_assistant().knowledge
        _ = knowledge.searcher
        knowledge.places("")


def reply_markdown(answer: Answer, share_question: bool) -> str:
    recorded = "who asked, when and the datasets cited" + (
        ", and your question, as you chose" if share_question else "; not your question's text"
    )
    return f"{answer.as_markdown().rstrip()}\n\n_Metadata only, never rows. Recorded as an assistant use: {recorded}._"


def model_configuration() -> ModelConfiguration:
    """What answers: the configured language model, or the catalogue search when none is set."""
    spec = str(config.setting("assistant_model") or "")
    option = (
        ModelOption(id=spec, name=spec, description="The assistant_model setting, through langchain.")
        if spec
        else ModelOption(
            id=NO_MODEL,
            name="Catalogue search (no language model)",
            description="Keyword and embedding search over the catalogue's metadata.",
        )
    )
    return ModelConfiguration(current=option.id, options=[option])


def share_setting() -> list[SettingConfiguration]:
    return [
        SettingConfiguration(
            id=SHARE_SETTING,
            current="no",
            name="Record my question",
            description="Each question is recorded as an assistant use (who, when, datasets cited). Choose yes to "
            "record its text too.",
            options=[
                SettingOption(id="no", name="No: only who, when and the datasets cited"),
                SettingOption(id="yes", name="Yes: record the question's text too"),
            ],
        )
    ]


class CommonsGuidePersona(BasePersona):
    """Answers questions about the commons' data in the chat panel, as the member whose server runs it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_model_configuration(model_configuration())
        self.report_settings_configuration(share_setting())

    @property
    def defaults(self) -> PersonaDefaults:
        return PersonaDefaults(
            name=NAME,
            description=DESCRIPTION,
            avatar_path=str(AVATAR),
            system_prompt=SYSTEM_PROMPT,
            slash_commands=set(),
        )

    async def prepare(self) -> None:
        """Runs once, when a member picks the guide or sends it a first message: the slow parts (embedding model,
        index, metadata) load then, off the server's event loop."""
        await asyncio.get_running_loop().run_in_executor(None, warm_up)

    def question_text(self, body: str) -> str:
        """The message without mentions of this persona (``@Commons-Guide``)."""
        mention = re.escape(self.as_user().mention_name)
        return re.sub(rf"@{mention}:?", " ", body, flags=re.IGNORECASE).strip()

    def member(self, message) -> str | None:
        # The server is the member's own: its owner is who asks (the REST one-shot path sends "user").
        return os.environ.get("JUPYTERHUB_USER") or getattr(message, "sender", None) or None

    async def process_message(self, message) -> None:
        share = self.get_settings().get(SHARE_SETTING) == "yes"
        self.set_status(BUSY)
        try:
            answer = await asyncio.get_running_loop().run_in_executor(
                None, answer_question, self.question_text(message.body), self.member(message), share
            )
        finally:
            self.clear_status()
        self.send_message(reply_markdown(answer, share))

    async def handle_uncaught_exception(self, exc: Exception) -> None:
        if isinstance(exc, CommonsError):  # a known situation: its message says what to do next
            self.send_message(f"I could not answer: {html.escape(str(exc))}")
            return
        await super().handle_uncaught_exception(exc)
