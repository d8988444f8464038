"""A "Commons" item in every member's JupyterLab launcher (and command palette), opening the governance home.

JupyterLab adds launcher items only from a lab extension's code; its settings can add menu items but not launcher
cards. The extension in ``lab/labextensions/lcr-commons-launcher`` is a prebuilt one written by hand (a small
module-federation container, ``static/remoteEntry.js``), so no node build is needed. User servers find it because
``lab_launcher_hook`` puts ``commons_hub/lab`` on their ``JUPYTER_PATH`` (JupyterLab looks for prebuilt
extensions in ``labextensions/`` under every Jupyter data path); nothing is installed into the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

LAB_DATA = Path(__file__).parent / "lab"
EXTENSION = "lcr-commons-launcher"


def lab_launcher_hook(c, ctx) -> None:
    """Add the Commons launcher item to every user server (a ``commons_hub.user_server`` hook)."""
    environment = dict(c.Spawner.environment) if isinstance(c.Spawner.environment, dict) else {}
    earlier = [p for p in (environment.get("JUPYTER_PATH") or "").split(os.pathsep) if p and p != str(LAB_DATA)]
    environment["JUPYTER_PATH"] = os.pathsep.join([str(LAB_DATA), *earlier])
    c.Spawner.environment = environment
