"""The safe setting's configuration: what the user-server hook adds, and the handler that refuses downloads."""

from __future__ import annotations

import asyncio
import json
import socket
from types import SimpleNamespace

import pytest
from tornado import httpclient, httpserver, web
from traitlets.config import Config

from commons_hub import safe_setting
from commons_hub.safe_setting_handlers import REFUSED_ROUTES, DownloadsOffHandler, default_handlers
from commons_hub.user_server import HOOKS

pytestmark = pytest.mark.unit


def test_the_hook_is_registered_for_every_user_server():
    assert safe_setting.safe_setting_hook in HOOKS


def test_the_hook_adds_server_settings_and_the_lab_config_first_on_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_USERS_DIR", str(tmp_path))  # the lab config sits beside the members' homes
    c = Config()
    c.Spawner.args = ["--ServerApp.jpserver_extensions=jupyter_server_mcp=False"]
    c.Spawner.environment = {"MPLBACKEND": "agg", "JUPYTER_CONFIG_PATH": "/opt/site-config"}
    safe_setting.safe_setting_hook(c, SimpleNamespace(home=tmp_path))
    safe_setting.safe_setting_hook(c, SimpleNamespace(home=tmp_path))  # idempotent: install(c) may run twice
    assert c.Spawner.args == [
        "--ServerApp.jpserver_extensions=jupyter_server_mcp=False",
        "--ServerApp.extra_services=commons_hub.safe_setting_handlers",
        "--ContentsManager.files_handler_class=commons_hub.safe_setting_handlers.DownloadsOffHandler",
    ]
    folder = tmp_path / safe_setting.CONFIG_DIR_NAME
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"] == f"{folder}:/opt/site-config"
    written = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert set(written["disabledExtensions"]) == set(safe_setting.DISABLED_LAB_PLUGINS)
    assert "@jupyterlab/docmanager-extension:download" in written["disabledExtensions"]


def test_jupyterlab_reads_the_written_page_config(tmp_path, monkeypatch):
    folder = safe_setting.write_user_config(tmp_path)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(folder))
    from jupyterlab_server.config import get_static_page_config

    disabled = get_static_page_config(level="all")["disabledExtensions"]
    assert all(disabled.get(plugin) for plugin in safe_setting.DISABLED_LAB_PLUGINS)


def test_the_refused_routes_cover_files_views_and_exports():
    assert [pattern for pattern, _ in default_handlers] == REFUSED_ROUTES
    assert {r.split("/")[1] for r in REFUSED_ROUTES} == {"files", "view", "nbconvert"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_handler_refuses_every_method_and_says_how_outputs_leave():
    async def run():
        app = web.Application([(r"/files/(.*)", DownloadsOffHandler, {"path": "/ignored"})], xsrf_cookies=True)
        port = _free_port()
        server = httpserver.HTTPServer(app)
        server.listen(port, "127.0.0.1")
        client = httpclient.AsyncHTTPClient()
        try:
            got = await client.fetch(f"http://127.0.0.1:{port}/files/out.csv?download=1", raise_error=False)
            posted = await client.fetch(
                f"http://127.0.0.1:{port}/files/out.csv",
                method="POST",
                body=b"",
                raise_error=False,
                headers={"Accept": "application/json"},
            )
        finally:
            server.stop()
            client.close()
        return got, posted

    got, posted = asyncio.run(run())
    assert got.code == 403 and b"ck.request_release" in got.body
    assert posted.code == 403 and json.loads(posted.body)["error"] == "downloads-off"
