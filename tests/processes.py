"""Processes a test started, found through /proc, so a fixture can prove that stopping a server stopped everything
it started (a service that outlives its hub is a leak, and as root a dangerous one)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process; None when it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]
    return None if state in ("Z", "X") else (state, int(ppid))


def descendants(root: int) -> dict[int, str]:
    """Every live process below ``root``: pid -> command line."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents[int(entry.name)] = stat[1]
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return {pid: command_line(pid) for pid in found}


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def still_running(pids: dict[int, str], grace: float = 20.0) -> dict[int, str]:
    """Those of ``pids`` still alive (same command line) after ``grace`` seconds."""
    deadline = time.monotonic() + grace
    while True:
        left = {pid: cmd for pid, cmd in pids.items() if _stat(pid) and command_line(pid) == cmd}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)


def kill_all(pids: dict[int, str]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
