"""How a commons error shows in a notebook: what happened and the next step, in a few lines, with no traceback.

IPython asks an exception for ``_render_traceback_()`` before it prints a traceback (CommonsError defines it), so
this works in every kernel, papermill run and IPython terminal without registering anything; other errors keep
their usual traceback. The traceback is one call away: ``ck.show_traceback()`` prints the last error's, and the
setting ``COMMONS_TRACEBACKS=true`` (``%env COMMONS_TRACEBACKS=true`` in a notebook) shows them every time.
"""

from __future__ import annotations

import sys
import traceback

RED, BOLD, DIM, RESET = "\x1b[1;31m", "\x1b[1m", "\x1b[2m", "\x1b[0m"
HINT = "(`ck.show_traceback()` shows where this came from.)"


def render_lines(error, colour: bool = True) -> list[str]:
    """The short form: ``Name: what happened``, ``Next step: ...`` (when there is one) and the traceback hint."""
    red, bold, dim, reset = (RED, BOLD, DIM, RESET) if colour else ("", "", "", "")
    headline = str(error.headline)
    if "\n" not in headline:  # one sentence: tidy its spacing (a list of problems keeps its lines)
        headline = " ".join(headline.split())
    lines = [f"{red}{type(error).__name__}{reset}: {headline}"]
    advice = " ".join(str(error.advice or "").split())
    if advice and advice not in headline:
        lines.append(f"{bold}Next step:{reset} {advice}")
    lines.append(f"{dim}{HINT}{reset}")
    return lines


def render_traceback(error) -> list[str]:
    """What IPython shows for ``error``: the short form, or the full traceback with the setting on."""
    if _tracebacks_wanted():
        return _full_traceback(error) + render_lines(error)[:-1]
    return render_lines(error)


def _tracebacks_wanted() -> bool:
    from commons_kernel import config
    from commons_kernel.exceptions import ConfigurationError

    try:
        return bool(config.setting("tracebacks"))
    except ConfigurationError:  # a mistyped value must not hide the error being shown
        return False


def _full_traceback(error) -> list[str]:
    shell = _shell()
    if shell is not None:
        return shell.InteractiveTB.structured_traceback(type(error), error, error.__traceback__)
    return ["".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip("\n")]


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # a plain Python script
        return None
    return get_ipython()


def show_traceback() -> None:
    """Print the full traceback of the last error (a commons error shows only its message and next step)."""
    error = getattr(sys, "last_value", None)
    if error is None:
        print("No error has been raised in this session yet.")
        return
    shell = _shell()
    if shell is not None:
        stb = shell.InteractiveTB.structured_traceback(type(error), error, error.__traceback__)
        print(shell.InteractiveTB.stb2text(stb))
        return
    traceback.print_exception(type(error), error, error.__traceback__)
