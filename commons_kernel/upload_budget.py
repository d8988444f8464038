"""A time and memory budget for checking one upload: the checks run in a child process that may use so much
address space (RLIMIT_AS) and is stopped after so many seconds (settings upload_check_memory_mb and
upload_check_seconds).

Why a process: the checks are CPU-bound Python; in a thread of the data-api they would hold the GIL and slow
every other member's read, and a thread cannot be stopped or limited. Children are forked from a forkserver
that has already imported the checks, so one costs milliseconds, not the seconds of importing pandas.

``run_checks(func, *args)`` returns ``func(*args)`` or raises ``BudgetExceeded`` saying which limit, and re-raises
a ``CommonsError`` the checks raised (with its report).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import threading
import time
from collections.abc import Callable

from commons_kernel.config import SETTINGS, setting
from commons_kernel.exceptions import CommonsError

PRELOAD = ["commons_kernel.upload_preload"]
_context = None
_context_lock = threading.Lock()


class BudgetExceeded(Exception):
    """The checks needed more time or memory than their budget; ``limit`` is the setting's name."""

    def __init__(self, limit: str, message: str):
        super().__init__(message)
        self.limit = limit
        self.env = SETTINGS[limit].env


def _forkserver():
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            # A child imports the parent's main module by name (e.g. the data-api's app); preloading it makes that
            # a re-run of its top level with every import already done.
            main = getattr(getattr(sys.modules.get("__main__"), "__spec__", None), "name", None)
            extra = [main] if main and not main.endswith("__main__") else []
            context.set_forkserver_preload(PRELOAD + extra)
            _context = context
        return _context


def start_checker() -> None:
    """Start the forkserver now (it imports and warms the checks, ~5 s) instead of at the first upload."""
    import multiprocessing.forkserver

    _forkserver()
    multiprocessing.forkserver.ensure_running()


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(conn, environ: dict, cwd: str, memory_bytes: int, func, args, kwargs) -> None:
    os.environ.clear()
    os.environ.update(environ)  # the caller's settings, not the forkserver's
    os.chdir(cwd)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory_bytes, resource.RLIM_INFINITY))
        result = func(*args, **kwargs)
        conn.send(("ok", result))
    except MemoryError:
        conn.send(("memory", None))
    except CommonsError as exc:
        report: object = getattr(exc, "report", None)
        conn.send(
            (
                "error",
                (
                    type(exc).__module__,
                    type(exc).__qualname__,
                    str(exc),
                    report.to_dict() if hasattr(report, "to_dict") else report,
                ),
            )
        )
    except BaseException as exc:  # anything else: say what, in the parent's log and error
        conn.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _rebuild(module: str, name: str, message: str, report) -> CommonsError:
    import importlib

    cls = getattr(importlib.import_module(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, CommonsError)):
        return CommonsError(message)
    # Only some subclasses (ValidationFailed) take a report; a TypeError says this one does not.
    build: Callable[..., CommonsError] = cls
    try:
        return build(message, report=report) if report is not None else build(message)
    except TypeError:
        return CommonsError(message)


def run_checks(func, *args, seconds: float | None = None, memory_mb: int | None = None, **kwargs):
    """``func(*args, **kwargs)`` in a child process within the budget (defaults: the settings)."""
    seconds = float(setting("upload_check_seconds") if seconds is None else seconds)
    memory_mb = int(setting("upload_check_memory_mb") if memory_mb is None else memory_mb)
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, daemon=True, args=(sender, dict(os.environ), os.getcwd(), memory_mb << 20, func, args, kwargs)
    )
    started = time.monotonic()
    process.start()
    sender.close()
    try:
        if not receiver.poll(max(0.0, seconds - (time.monotonic() - started))):
            raise BudgetExceeded("upload_check_seconds", f"checking the file took more than {seconds:g} s")
        try:
            outcome, value = receiver.recv()
        except EOFError:
            process.join(5)
            raise BudgetExceeded(
                "upload_check_memory_mb",
                f"the checks stopped (exit code {process.exitcode}), most "
                f"likely out of memory: the budget is {memory_mb:,} MB",
            ) from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if outcome == "ok":
        return value
    if outcome == "memory":
        raise BudgetExceeded("upload_check_memory_mb", f"checking the file needed more than {memory_mb:,} MB")
    if outcome == "error":
        raise _rebuild(*value)
    raise RuntimeError(f"the upload checks failed in their child process: {value}")
