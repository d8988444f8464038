"""The safe setting in members' JupyterLab: files cannot be downloaded from a user server.

What ``safe_setting_hook(c, ctx)`` (registered in ``commons_hub.user_server.HOOKS``) adds to every user server:

- Jupyter Server refuses the routes that send files to the browser: ``/files/`` (File > Download, the file
  browser's Download, ``?download=1``), ``/view/`` and ``/nbconvert/`` (Save and Export Notebook As). They
  answer 403 with a message saying how outputs leave instead (``commons_hub.safe_setting_handlers``). The
  settings go on the server's command line, which outranks any config file in the member's home.
- JupyterLab's matching menu items are switched off: the plugins in ``DISABLED_LAB_PLUGINS`` are listed under
  ``disabledExtensions`` in a ``labconfig/page_config.json`` written to ``$COMMONS_USERS_DIR/user-server-config``
  (readable by every member's account, writable by root only; never in the state directory, which members'
  accounts cannot enter), which the servers find first on ``JUPYTER_CONFIG_PATH``.

What this does not stop on one machine (copying from the screen, a kernel opening a network connection, ...)
and how the Kubernetes deployment closes the rest: docs/operators/security.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

HANDLERS_MODULE = "commons_hub.safe_setting_handlers"
DISABLED_LAB_PLUGINS = [
    "@jupyterlab/docmanager-extension:download",  # File > Download; "Copy Download Link"
    "@jupyterlab/filebrowser-extension:download",  # the file browser's Download and Copy Download Link
    "@jupyterlab/docmanager-extension:open-browser-tab",  # Open in New Browser Tab (served from /files/)
    "@jupyterlab/filebrowser-extension:open-browser-tab",
    "@jupyterlab/notebook-extension:export",  # File > Save and Export Notebook As ...
    "@jupyterlab/apputils-extension:print",  # File > Print (the browser's own print remains)
]
CONFIG_DIR_NAME = "user-server-config"


def server_args() -> list[str]:
    """Command-line settings of a user server that turn the download routes off."""
    return [
        f"--ServerApp.extra_services={HANDLERS_MODULE}",
        f"--ContentsManager.files_handler_class={HANDLERS_MODULE}.DownloadsOffHandler",
    ]


def page_config() -> dict:
    return {"disabledExtensions": {plugin: True for plugin in DISABLED_LAB_PLUGINS}}


def write_user_config(folder: Path) -> Path:
    """Write ``labconfig/page_config.json`` under ``folder`` (replaced atomically); return ``folder``."""
    target = folder / "labconfig" / "page_config.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(page_config(), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, target)
    return folder


def safe_setting_hook(c, ctx) -> None:
    """Add the safe setting to every user server (a ``commons_hub.user_server`` hook)."""
    from commons_kernel import config

    folder = write_user_config(config.users_dir() / CONFIG_DIR_NAME)
    args = list(c.Spawner.args) if isinstance(c.Spawner.args, list) else []
    c.Spawner.args = args + [a for a in server_args() if a not in args]
    environment = dict(c.Spawner.environment) if isinstance(c.Spawner.environment, dict) else {}
    earlier = [p for p in (environment.get("JUPYTER_CONFIG_PATH") or "").split(os.pathsep) if p and p != str(folder)]
    environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(folder), *earlier])
    c.Spawner.environment = environment
