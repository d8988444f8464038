"""``%ask question`` and ``%%ask`` for IPython: print the answer and put its code in the next cell.

Load with ``%load_ext commons_kernel.assistant`` (or ``commons_kernel.assistant.magic``). One assistant per
kernel, created on first use, so the embedding model loads once.
"""

from __future__ import annotations

from collections.abc import Callable

_assistant = None
AssistantFactory = Callable[[], object]


def _default_assistant():
    # The member's assistant: data-api metadata, the ingested ward names, and uses recorded in the audit log.
    from commons_kernel.assistant.member import member_assistant

    return member_assistant()


def shared_assistant(factory: AssistantFactory = _default_assistant):
    global _assistant
    if _assistant is None:
        _assistant = factory()
    return _assistant


def reset_assistant(assistant=None) -> None:
    """Forget the kernel's assistant (or install ``assistant``: the tests and the persona pass their own)."""
    global _assistant
    _assistant = assistant


def ask_and_show(shell, question: str) -> object:
    """Ask, print the answer, and offer its code as the next cell. Returns the Answer."""
    question = question.strip()
    if not question:
        print("Usage: %ask How deprived is Everton?   (or %%ask with the question in the cell)")
        return None
    answer = shared_assistant().ask(question, user=_user())
    print(answer.text)
    if answer.snippet:
        print("\nThe code is in the next cell.")
        shell.set_next_input(answer.snippet, replace=False)
    return answer


def _user() -> str | None:
    import os

    return os.environ.get("JUPYTERHUB_USER") or None


def load_ipython_extension(ipython) -> None:
    def ask(line: str, cell: str | None = None):
        ask_and_show(ipython, cell if cell is not None else line)

    ipython.register_magic_function(ask, magic_kind="line_cell", magic_name="ask")
