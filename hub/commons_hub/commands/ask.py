"""`commons ask "QUESTION" [--json]` and `commons ask --batch FILE [--json]`: the assistant from the command line.

With a token (COMMONS_API_TOKEN) it asks as the token's owner through the data-api: metadata and projects from
there, ward names from the ingested `lookup_ward22_lad22`, each use recorded with `POST api/assistant/uses`.
Without one (an operator on the server) it reads the catalogue files, takes ward names from the local store's
`lookup_ward22_lad22` (or, before `commons init`, the seed lookup file) and writes each use to the audit log
directly. A batch is answered by one assistant, so the embedding model loads once.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # every `commons` command imports this module: the audit log only when a use is recorded
    from commons_hub.audit import AuditLog

EXIT_USAGE = 2
TOKEN_VARIABLES = ("JUPYTERHUB_API_TOKEN", "COMMONS_API_TOKEN")  # as commons_kernel.client.environment_token


def register(sub) -> None:
    p = sub.add_parser("ask", help="ask the assistant which data answers a question (metadata only, never rows)")
    p.add_argument("question", nargs="*", help='the question, e.g. "How deprived is Everton?"')
    p.add_argument(
        "--batch",
        type=Path,
        metavar="FILE",
        help="answer one question per line of FILE ('-' for stdin); blank lines and # comments are skipped",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="JSON: the answer, the cited datasets (name, title, licence, tier) best first, the code; "
        "with --batch one JSON object per line",
    )
    p.add_argument(
        "--share-question",
        action="store_true",
        help="record the question's text with the use (by default only who, when and the datasets cited)",
    )
    p.add_argument(
        "--user",
        help="without a token: who is asking (access advice and the audit entry; default: "
        "your login name). With a token the token says who you are.",
    )
    p.add_argument(
        "--model",
        default=None,
        help="a langchain provider:model for this run; '' for none (default: the assistant_model setting)",
    )
    p.set_defaults(handler=ask)


def ask(args) -> int:
    questions = read_questions(args)
    if questions is None:
        return EXIT_USAGE
    if has_token() and args.user:
        print(
            "error: --user only applies without a token; with COMMONS_API_TOKEN the token says who you are.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    assistant, user = build_assistant(args)
    for question in questions:
        answer = assistant.ask(question, user=user, share_question=args.share_question)
        if args.json:
            print(json.dumps(answer_json(question, answer), ensure_ascii=False), flush=True)
        else:
            if args.batch is not None:
                print(f"## {question}\n")
            print(str(answer).rstrip() + "\n", flush=True)
    return 0


def read_questions(args) -> list[str] | None:
    if (args.batch is None) == (not args.question):
        print(
            'error: give one question (`commons ask "How deprived is Everton?"`) or --batch FILE, not both '
            "and not neither.",
            file=sys.stderr,
        )
        return None
    if args.batch is None:
        return [" ".join(args.question)]
    try:
        text = sys.stdin.read() if str(args.batch) == "-" else args.batch.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(
            f"error: cannot read the questions from {args.batch}: {exc}. Give a UTF-8 text file, one question a line.",
            file=sys.stderr,
        )
        return None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def answer_json(question: str, answer) -> dict:
    return {
        "question": question,
        "answer": answer.text,
        "datasets": answer.datasets,
        "snippet": answer.snippet,
        "used_model": answer.used_model,
        "answered": answer.answered,
    }


def has_token() -> bool:
    # Read here rather than importing the assistant: every `commons` command imports this module.
    return any(os.environ.get(variable) for variable in TOKEN_VARIABLES)


def build_assistant(args):
    """The assistant and who is asking: the token's owner through the data-api, else the operator's way."""
    from commons_kernel.assistant.member import member_assistant

    if has_token():
        from commons_kernel.api import whoami

        return member_assistant(args.model), whoami()["name"]
    user = args.user or getpass.getuser()
    return member_assistant(args.model, gazetteer=local_gazetteer(), record_use=AuditUseRecorder(user)), user


def local_gazetteer():
    """Ward names without a hub: the local store's ingested lookup, else the seed lookup file (documented
    fallback before `commons init`), else the six boroughs only."""
    from commons_hub.store import Store
    from commons_kernel.assistant.member import WARD_COLUMNS, WARD_LOOKUP
    from commons_kernel.assistant.places import Gazetteer
    from commons_kernel.exceptions import DatasetNotFound

    try:
        return Gazetteer(Store().read(WARD_LOOKUP, columns=WARD_COLUMNS))
    except DatasetNotFound:
        return Gazetteer.default()


class AuditUseRecorder:
    """Writes each use straight to the audit log, as an operator's (no hub, no data-api)."""

    def __init__(self, actor: str):
        self.actor = actor
        self._audit: AuditLog | None = None  # opened at the first use

    def __call__(self, record: dict) -> dict:
        from commons_hub.assistant_uses import append_use
        from commons_hub.audit import AuditLog
        from commons_kernel.assistant.member import use_payload

        if self._audit is None:
            self._audit = AuditLog()
        return append_use(self._audit, self.actor, "operator", use_payload(record))
