"""The safe setting in a real spawned user server: download and export routes refuse, the menu items are off."""

from __future__ import annotations

import json
import re

import pytest

from commons_hub.safe_setting import DISABLED_LAB_PLUGINS

pytestmark = pytest.mark.integration

USER = "analyst1"
TEXT = "safe-setting-check.txt"
NOTEBOOK = "safe-setting-check.ipynb"


@pytest.fixture(scope="module")
def member_server(hub):
    hub.spawn(USER)
    put = hub.server_api(
        USER,
        "PUT",
        f"api/contents/{TEXT}",
        json={"type": "file", "format": "text", "content": "counts made from restricted data\n"},
    )
    assert put.status_code in (200, 201), put.text
    notebook = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# outputs"}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    put = hub.server_api(USER, "PUT", f"api/contents/{NOTEBOOK}", json={"type": "notebook", "content": notebook})
    assert put.status_code in (200, 201), put.text
    return hub


@pytest.mark.parametrize(
    "path",
    [
        f"files/{TEXT}",
        f"files/{TEXT}?download=1",
        f"view/{TEXT}",
        f"nbconvert/html/{NOTEBOOK}?download=true",
        f"nbconvert/script/{NOTEBOOK}",
        f"nbconvert/notebook/{NOTEBOOK}?download=true",
    ],
)
def test_download_and_export_routes_refuse_a_member(member_server, path):
    response = member_server.server_api(USER, "GET", path, allow_redirects=False)
    assert response.status_code == 403, (path, response.status_code, response.text[:300])
    assert "ck.request_release" in response.text


def test_the_lab_still_opens_files_through_the_contents_api(member_server):
    response = member_server.server_api(USER, "GET", f"api/contents/{TEXT}")
    assert response.status_code == 200
    assert response.json()["content"] == "counts made from restricted data\n"


def test_download_and_export_menu_items_are_off_in_the_lab_page(member_server):
    page = member_server.server_api(USER, "GET", "lab")
    assert page.status_code == 200
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page.text, re.S)
    assert found, "the JupyterLab page carries no page config"
    disabled = json.loads(found.group(1)).get("disabledExtensions") or {}
    disabled = set(disabled) if isinstance(disabled, list) else {k for k, v in disabled.items() if v}
    assert set(DISABLED_LAB_PLUGINS) <= disabled, set(DISABLED_LAB_PLUGINS) - disabled
