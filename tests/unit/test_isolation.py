"""Isolation settings: account names, what install(c) configures with the walls up and down, and the notices."""

from __future__ import annotations

import os
import stat

import pytest
from tornado.testing import AsyncHTTPTestCase
from traitlets.config import Config

from commons_hub import isolation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", ["analyst1", "Steward", "jane.doe@council.gov.uk", "x" * 40, "名前"])
def test_every_hub_name_gets_a_valid_distinct_unix_name(name):
    unix = isolation.unix_name(name)
    assert isolation.UNIX_NAME.match(unix) and len(unix) <= 32
    assert unix.startswith("commons-u-")
    assert unix == isolation.unix_name(name)  # the same every time
    assert unix != isolation.unix_name(name + "2")


def test_plain_names_read_as_themselves():
    assert isolation.unix_name("analyst1") == "commons-u-analyst1"
    # the service accounts can never be a person's account
    assert isolation.unix_name("public") != "commons-public"


def _install(monkeypatch, tmp_path, mode: str) -> Config:
    from commons_hub.install import install

    monkeypatch.setenv("COMMONS_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("COMMONS_ISOLATION", mode)
    monkeypatch.setenv("COMMONS_PORT", "18999")
    c = Config()
    install(c)
    return c


def test_not_isolated_says_so_on_every_hub_page(monkeypatch, tmp_path, capsys):
    c = _install(monkeypatch, tmp_path, "off")
    assert c.JupyterHub.template_vars.get_value({})["announcement"] == isolation.NOT_ISOLATED
    assert "for trying it out only" in capsys.readouterr().err
    assert all("user" not in service for service in c.JupyterHub.services)
    assert c.CommonsSpawner.isolated is False
    assert all(
        s["environment"].get(isolation.RUNNING_ISOLATED) == "0" for s in c.JupyterHub.services if "environment" in s
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="making accounts needs root")
def test_isolated_services_run_as_their_accounts(monkeypatch, tmp_path):
    c = _install(monkeypatch, tmp_path, "auto")
    users = {s["name"]: s.get("user") for s in c.JupyterHub.services if "command" in s}
    assert users == {
        "data-api": "commons",
        "register": "commons",
        "refresher": "commons",
        "stories": "commons-public",
        "dask-gateway": None,
    }  # root: it starts each person's Dask workers as that person
    assert c.CommonsSpawner.isolated is True
    assert "--allow-root" not in c.Spawner.args
    home = tmp_path / "var"
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(home / "secrets.json").st_mode) == 0o600 and os.stat(home / "secrets.json").st_uid == 0
    stories = next(s for s in c.JupyterHub.services if s["name"] == "stories")
    assert stories["cwd"] == str(tmp_path / "var-public")
    assert not stories["environment"]["HOME"].startswith(f"{home}/")  # nothing of the state directory
    assert "JUPYTERHUB_API_TOKEN" not in stories["environment"]


class RegisterNotice(AsyncHTTPTestCase):
    """The register's every page carries the notice when the hub runs without separate accounts."""

    def get_app(self):
        import tempfile
        from pathlib import Path

        from commons_hub.services.register.app import make_app
        from commons_hub.services.register.data import RegisterData
        from commons_hub.services.register.readonly import readonly_engine
        from tests.unit.test_contributions_register import build_state

        home = Path(tempfile.mkdtemp(prefix="register-walls-"))
        state = build_state(home)
        return make_app(
            RegisterData(readonly_engine(f"sqlite:///{home / 'governance.sqlite'}"), state.store), "/services/register/"
        )

    def test_notice_follows_the_hub(self):
        os.environ.pop(isolation.RUNNING_ISOLATED, None)
        assert "for trying it out only" in self.fetch("/services/register/datasets").body.decode()
        os.environ[isolation.RUNNING_ISOLATED] = "1"
        try:
            assert "for trying it out only" not in self.fetch("/services/register/datasets").body.decode()
        finally:
            os.environ.pop(isolation.RUNNING_ISOLATED, None)


def test_walls_line_of_commons_up(monkeypatch):
    from commons_hub.commands.hub import walls_line

    monkeypatch.setenv("COMMONS_ISOLATION", "off")
    assert "for trying it out only" in walls_line()
    if os.geteuid() == 0:
        monkeypatch.setenv("COMMONS_ISOLATION", "auto")
        assert "own Unix account" in walls_line()


def test_grant_traverse_adds_search_not_read(tmp_path):
    locked = tmp_path / "locked"
    inner = locked / "inner"
    inner.mkdir(parents=True)
    os.chmod(locked, 0o700)
    changed = isolation.grant_traverse(inner / "file")
    assert str(locked) in changed
    mode = stat.S_IMODE(os.stat(locked).st_mode)
    assert mode & stat.S_IXOTH and not mode & stat.S_IROTH
    assert isolation.grant_traverse(inner / "file") == []
