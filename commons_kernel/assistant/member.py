"""The assistant as the commons runs it for a member: the kernel's ``%ask``, the JupyterLab persona and
``commons ask`` with a token all build it here.

Inside the hub (a token in ``JUPYTERHUB_API_TOKEN`` or ``COMMONS_API_TOKEN``) it reads metadata and projects
from the data-api, learns ward names from the ingested ``lookup_ward22_lad22`` dataset (read through the data-api
on first use, so it is audited like any read), and records each question as an assistant use with
``POST api/assistant/uses``. Without a token it reads the catalogue files and records nothing unless the caller
passes a recorder (``commons ask`` passes one that writes the audit log directly).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from commons_kernel.assistant.assistant import Assistant, RecordUse
from commons_kernel.assistant.places import Gazetteer
from commons_kernel.assistant.sources import CatalogMetadataSource, DataApiMetadataSource, api_token

WARD_LOOKUP = "lookup_ward22_lad22"
WARD_COLUMNS = ["ward22_code", "ward22_name", "lad22_code", "lad22_name"]
WARD_PURPOSE = "assistant: ward names for questions"
USES_PATH = "api/assistant/uses"


class IngestedGazetteer(Gazetteer):
    """Wards from the ingested ``lookup_ward22_lad22`` dataset, read through the data-api the first time a
    question is searched for places (so building an assistant costs no request). ``read`` is ``ck.read``."""

    def __init__(self, read: Callable | None = None, dataset: str = WARD_LOOKUP):
        self._read = read
        self._dataset = dataset
        self._loaded = False
        self._lock = threading.Lock()

    def load(self) -> IngestedGazetteer:
        with self._lock:
            if not self._loaded:
                if self._read is None:
                    from commons_kernel.api import read

                    self._read = read
                frame = self._read(self._dataset, columns=WARD_COLUMNS, purpose=WARD_PURPOSE)
                Gazetteer.__init__(self, frame)
                self._loaded = True
        return self

    def find(self, text: str):
        return Gazetteer.find(self.load(), text)

    def by_code(self, code: str):
        return Gazetteer.by_code(self.load(), code)


def use_payload(record: dict) -> dict:
    """The wire form of a use record made by ``Assistant`` (which holds ``question`` only when the member opted
    in): what ``POST api/assistant/uses`` takes."""
    payload = {
        "datasets": list(record.get("datasets") or []),
        "used_model": bool(record.get("used_model")),
        "answered": bool(record.get("answered", True)),
    }
    if record.get("question") is not None:
        payload.update(share_question=True, question=record["question"])
    return payload


class DataApiUseRecorder:
    """Records each use with ``POST api/assistant/uses`` as the token's owner. A use that cannot be recorded
    raises (DataApiUnavailable, NotAuthenticated...), so an answer is never given off the record."""

    def __init__(self, client=None):
        self._client = client

    @property
    def client(self):
        if self._client is None:
            from commons_kernel.api import client

            self._client = client()
        return self._client

    def __call__(self, record: dict) -> dict:
        return self.client.post_json(USES_PATH, use_payload(record))


def user_cache_path() -> Path | None:
    """Inside the hub, the member's own cache for the embedding index (the project's state directory is not
    theirs to write); elsewhere None, the default under $COMMONS_HOME."""
    if not os.environ.get("JUPYTERHUB_USER"):
        return None
    return Path.home() / ".cache" / "commons" / "assistant-index.npz"


def member_assistant(
    model=None, *, gazetteer: Gazetteer | None = None, record_use: RecordUse | None = None, **options
) -> Assistant:
    """The product's assistant. ``model``: None reads the ``assistant_model`` setting. With a token: data-api
    metadata, the ingested ward lookup, uses recorded through the data-api. ``options`` go to ``Assistant``."""
    if api_token():
        options.setdefault("cache_path", user_cache_path())
        return Assistant(
            DataApiMetadataSource(),
            model,
            record_use or DataApiUseRecorder(),
            gazetteer=gazetteer or IngestedGazetteer(),
            **options,
        )
    return Assistant(CatalogMetadataSource(), model, record_use, gazetteer=gazetteer, **options)
