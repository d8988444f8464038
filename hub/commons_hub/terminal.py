"""`commons` in a member's JupyterLab terminal (a ``commons_hub.user_server`` hook).

Why it was missing: a user server started by the hub has no terminal of its own, so Jupyter starts the terminal's
shell as a login shell (``bash -l``), and Debian's /etc/profile then replaces PATH with the system's, dropping the
commons' environment (``.venv/bin``, where `commons` and `python` live). The hook puts that folder first on the
server's PATH and starts the terminal's shell as an interactive, non-login bash (it still reads
/etc/bash.bashrc and the member's own ~/.bashrc), which keeps PATH.

What `commons` can do there: it runs as the member's own account (``commons-u-NAME`` on an isolated commons),
which cannot open the state directory, so it only does what the member could do through the data-api with
their own token (the server's JUPYTERHUB_API_TOKEN): `commons validate FILE` (alias `commons check`),
`commons catalog list|search`, `commons contribute`, `commons contributions list`, `commons proposals`,
`commons vote`, `commons withdraw` of their own data. Operators' commands (init, token, db, audit verify, ...)
fail there for want of the state, saying so.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

SHELL = ["/bin/bash", "-i"]  # interactive, not a login shell: /etc/profile would reset PATH


def commons_bin() -> Path:
    """The folder of the Python environment the commons runs in (`commons`, `python`, `jupyter`...)."""
    return Path(sys.executable).parent


def server_path(path: str | None) -> str:
    """PATH for a user server: the commons' environment first, then ``path`` (the hub's), without repeats."""
    first = str(commons_bin())
    rest = [p for p in (path or os.defpath).split(os.pathsep) if p and p != first]
    return os.pathsep.join([first, *rest])


def terminal_args() -> list[str]:
    return [f"--ServerApp.terminado_settings=shell_command={shlex.join(SHELL)}"]


def terminal_hook(c, ctx) -> None:
    """`commons` (and the commons' Python) on PATH in every member's terminal."""
    args = list(c.Spawner.args) if isinstance(c.Spawner.args, list) else []
    c.Spawner.args = args + [a for a in terminal_args() if a not in args]
    environment = dict(c.Spawner.environment) if isinstance(c.Spawner.environment, dict) else {}
    environment["PATH"] = server_path(environment.get("PATH") or os.environ.get("PATH"))
    c.Spawner.environment = environment
