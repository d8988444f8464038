"""The governance database on either backend (``db_backend``), and who is given which database URL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from traitlets.config import Config

from commons_hub import db
from commons_kernel.exceptions import ConfigurationError


def test_the_engine_is_on_the_backend_under_test(db_backend):
    assert db.engine().dialect.name == db_backend
    with db.engine().connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def test_an_unsupported_database_is_named_with_the_two_that_work(db_backend):
    with pytest.raises(ConfigurationError, match="SQLite .* or PostgreSQL"):
        db.engine("mysql+pymysql://u:p@127.0.0.1/commons")


def test_the_hub_database_follows_its_setting(monkeypatch, tmp_path, db_backend):
    monkeypatch.delenv("COMMONS_HUB_DB_URL", raising=False)
    assert db.hub_database_url(tmp_path) == f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    monkeypatch.setenv("COMMONS_HUB_DB_URL", "postgresql+psycopg://hub:secret@127.0.0.1:5432/hub")
    assert db.hub_database_url(tmp_path).endswith("/hub")


def test_only_services_that_need_it_get_the_database_url_and_kernels_get_none(monkeypatch, tmp_path, db_backend):
    from commons_hub.install import install

    governance = "postgresql+psycopg://commons:gov-secret@127.0.0.1:5432/governance"
    hub_db = "postgresql+psycopg://hub:hub-secret@127.0.0.1:5432/hub"
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("COMMONS_ISOLATION", "off")
    monkeypatch.setenv("COMMONS_PORT", "18998")
    monkeypatch.setenv("COMMONS_DB_URL", governance)
    monkeypatch.setenv("COMMONS_HUB_DB_URL", hub_db)
    c = Config()
    install(c)
    assert c.JupyterHub.db_url == hub_db
    services = {s["name"]: s.get("environment", {}) for s in c.JupyterHub.services if "command" in s}
    for name in ("data-api", "register", "refresher"):
        assert services[name]["COMMONS_DB_URL"] == governance, name
    assert "COMMONS_DB_URL" not in services["stories"]  # public Voila kernels inherit its environment
    for name, environment in services.items():
        assert not any("hub-secret" in value for value in environment.values()), name
    spawner_env = dict(c.Spawner.environment)
    assert not any("secret" in str(value) for value in spawner_env.values())
    from jupyterhub.spawner import Spawner

    keep = c.Spawner.env_keep  # what a user server inherits from the hub: not the database URLs
    keep = keep if isinstance(keep, list) else keep.get_value(list(Spawner.class_traits()["env_keep"].default()))
    assert keep and "COMMONS_DB_URL" not in keep and "COMMONS_HUB_DB_URL" not in keep
