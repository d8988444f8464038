"""The assistant's public face: ``Assistant(source, model=None, record_use=None).ask(question, user=None)``.

Without a model it answers from the catalogue (hybrid search, places, access advice, code); with one it runs the
langchain agent over the same metadata tools, and falls back to the catalogue answer if the model fails. Each
question is reported to ``record_use`` (who, when, datasets cited; the question's text only if the member opts
in). The JupyterLab persona, the IPython magic and ``commons ask`` are thin callers of this class.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from commons_kernel.assistant.agent import agent_answer, resolve_model
from commons_kernel.assistant.answer import Answer, catalogue_answer
from commons_kernel.assistant.knowledge import Knowledge
from commons_kernel.assistant.places import Gazetteer
from commons_kernel.assistant.sources import MetadataSource, default_source

log = logging.getLogger(__name__)
USE_EVENT = "assistant.ask"

RecordUse = Callable[[dict], object]  # what it returns (the stored use, say) is not used


class Assistant:
    """Answers questions about the commons' data from its metadata. Never reads rows.

    ``source``: where metadata comes from (default: the data-api when a token is set, else the catalogue files).
    ``model``: None reads the ``assistant_model`` setting; "" means no model; or a "provider:model" string, or a
    langchain chat model. ``record_use``: called once per question with the use record (the data-api audit
    passes its writer); None records nothing.
    """

    def __init__(
        self,
        source: MetadataSource | None = None,
        model=None,
        record_use: RecordUse | None = None,
        *,
        gazetteer: Gazetteer | None = None,
        stories_dir: Path | str | None = None,
        cache_path: Path | None = None,
        encoder=None,
        semantic: bool = True,
    ):
        self.source = source or default_source()
        self.model = resolve_model(model)
        self.record_use = record_use
        self._knowledge_options = dict(
            gazetteer=gazetteer, stories_dir=stories_dir, cache_path=cache_path, encoder=encoder, semantic=semantic
        )
        self._knowledge: Knowledge | None = None

    @property
    def knowledge(self) -> Knowledge:
        """Metadata fetched from the source once; call ``refresh()`` after the catalogue changes."""
        if self._knowledge is None:
            self._knowledge = Knowledge.from_source(self.source, **self._knowledge_options)
        return self._knowledge

    def refresh(self) -> None:
        self._knowledge = None

    def ask(self, question: str, user: str | None = None, share_question: bool = False) -> Answer:
        """Answer one question. ``share_question``: the member agrees to the full text being recorded."""
        answer = self._answer(question, user)
        self._record(question, user, answer, share_question)
        return answer

    def ask_batch(self, questions: Iterable[str], user: str | None = None) -> list[Answer]:
        """Answer several questions with one metadata fetch and one embedding model load."""
        return [self.ask(question, user) for question in questions]

    def _answer(self, question: str, user: str | None) -> Answer:
        knowledge = self.knowledge
        if self.model is None or not question.strip():
            return catalogue_answer(knowledge, question, user)
        try:
            return agent_answer(self.model, knowledge, question, user)
        except Exception as exc:  # any provider failure (network, quota, bad output): the catalogue still answers
            log.warning("assistant model failed, answering from the catalogue: %s", exc)
            fallback = catalogue_answer(knowledge, question, user)
            fallback.text = (
                f"(The language model could not answer: {type(exc).__name__}: {exc}. "
                f"This answer comes from the catalogue alone.)\n\n{fallback.text}"
            )
            return fallback

    def _record(self, question: str, user: str | None, answer: Answer, share_question: bool) -> None:
        if self.record_use is None:
            return
        record = {
            "event": USE_EVENT,
            "user": user,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "datasets": answer.dataset_names,
            "used_model": answer.used_model,
            "answered": answer.answered,
        }
        if share_question:
            record["question"] = question
        self.record_use(record)
