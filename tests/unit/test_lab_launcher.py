"""The Commons launcher item: user servers get its folder first on JUPYTER_PATH (keeping what was there), JupyterLab
finds the prebuilt extension in it, and its container file is where package.json says; the hub's navigation
template extends a block of the hub's own page. (In Chromium: tests/browser/test_lab_launcher.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jupyterlab_server.config import get_federated_extensions
from traitlets.config import Config

from commons_hub.install import COMMONS_PAGE, HUB_TEMPLATES
from commons_hub.lab_launcher import EXTENSION, LAB_DATA, lab_launcher_hook
from commons_hub.user_server import HOOKS

pytestmark = pytest.mark.unit


def test_hook_puts_the_extension_first_on_jupyter_path_and_keeps_the_rest():
    c = Config()
    c.Spawner.environment = {"JUPYTER_PATH": "/opt/other", "HF_HUB_OFFLINE": "1"}
    lab_launcher_hook(c, None)
    lab_launcher_hook(c, None)  # twice: still once
    assert c.Spawner.environment["JUPYTER_PATH"].split(os.pathsep) == [str(LAB_DATA), "/opt/other"]
    assert c.Spawner.environment["HF_HUB_OFFLINE"] == "1"
    assert lab_launcher_hook in HOOKS


def test_jupyterlab_finds_the_prebuilt_extension():
    found = get_federated_extensions([str(LAB_DATA / "labextensions")])
    build = found[EXTENSION]["jupyterlab"]["_build"]
    assert build["extension"] == "./extension"
    entry = LAB_DATA / "labextensions" / EXTENSION / build["load"]
    source = entry.read_text()
    assert "window._JUPYTERLAB[NAME]" in source and f"var NAME = '{EXTENSION}'" in source
    assert COMMONS_PAGE.lstrip("/") in source  # the page the launcher opens is the one the hub links


def test_hub_navigation_template_extends_a_block_the_hub_has():
    """The link itself is checked on the real hub (tests/integration/test_governance_pages.py)."""
    import sys

    ours = (HUB_TEMPLATES / "page.html").read_text()
    hubs = (Path(sys.prefix) / "share" / "jupyterhub" / "templates" / "page.html").read_text()
    assert '{% extends "templates/page.html" %}' in ours and "{{ super() }}" in ours
    assert "{% block nav_bar_left_items %}" in ours and "{% block nav_bar_left_items %}" in hubs
