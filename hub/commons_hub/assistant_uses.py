"""Assistant uses in the audit log: who asked, when, which datasets the answer cited; the question's text only
when the member chose to share it.

The data-api route ``POST api/assistant/uses`` (kernels, the JupyterLab persona, ``commons ask`` with a token)
and ``commons ask`` run by an operator without a hub both write through ``append_use``, so every use has the same
shape: action ``assistant``, ``detail = {datasets, used_model, answered[, question]}``.
"""

from __future__ import annotations

import re

from commons_hub.audit import AuditEvent, AuditLog
from commons_kernel.exceptions import ValidationFailed

ACTION = "assistant"
MAX_DATASETS = 20
MAX_QUESTION_CHARS = 2000
DATASET_NAME = re.compile(r"[A-Za-z0-9_\-]{1,120}")
EXAMPLE = '{"datasets": ["imd2019_lsoa11"], "used_model": false, "answered": true}'


def use_detail(payload: dict) -> dict:
    """The audit detail of one use, checked. The question is kept only when ``share_question`` is true: a client
    that sends the text without that flag has it dropped, never stored."""
    if not isinstance(payload, dict):
        raise ValidationFailed(f"An assistant use is a JSON object, e.g. {EXAMPLE}. Nothing was recorded.")
    datasets = payload.get("datasets", [])
    if (
        not isinstance(datasets, list)
        or len(datasets) > MAX_DATASETS
        or not all(isinstance(name, str) and DATASET_NAME.fullmatch(name) for name in datasets)
    ):
        raise ValidationFailed(
            f"`datasets` must be a list of at most {MAX_DATASETS} dataset names (letters, digits, "
            f"_ and -), best first, e.g. {EXAMPLE}. Nothing was recorded."
        )
    detail = {
        "datasets": list(datasets),
        "used_model": _flag(payload, "used_model", False),
        "answered": _flag(payload, "answered", True),
    }
    if _flag(payload, "share_question", False):
        question = payload.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ValidationFailed(
                "`share_question` is true but `question` is missing or empty: send the text the "
                "member agreed to share, or leave `share_question` out. Nothing was recorded."
            )
        if len(question) > MAX_QUESTION_CHARS:
            raise ValidationFailed(
                f"`question` is {len(question)} characters; at most {MAX_QUESTION_CHARS} are "
                "recorded. Shorten it or do not share it. Nothing was recorded."
            )
        detail["question"] = question.strip()
    return detail


def append_use(audit: AuditLog, actor: str, actor_kind: str, payload: dict) -> dict:
    """Check the use and append it to the audit log as ``actor``; returns the written entry."""
    detail = use_detail(payload)
    return audit.append(AuditEvent(actor=actor, actor_kind=actor_kind, action=ACTION, outcome="ok", detail=detail))


def _flag(payload: dict, key: str, default: bool) -> bool:
    value = payload.get(key, default)
    if not isinstance(value, bool):
        raise ValidationFailed(f"`{key}` must be true or false, not {value!r}. Nothing was recorded.")
    return value
