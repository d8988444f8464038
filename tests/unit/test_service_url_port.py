"""A service whose JUPYTERHUB_SERVICE_URL has no port refuses to start and says so; tornado would otherwise listen
on a random free port that the hub's proxy never routes to (the data-api, the register, the dask-gateway front)."""

from __future__ import annotations

import pytest

from commons_kernel.exceptions import ConfigurationError

pytestmark = pytest.mark.unit


def _never(*args, **kwargs):
    raise AssertionError("the app was built: the missing port was not noticed first")


@pytest.fixture
def portless(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/services/x/")
    monkeypatch.setenv("COMMONS_DASK_GATEWAY_PORT", "8000")


def test_the_data_api_needs_a_port(portless, monkeypatch):
    from commons_hub.services.data_api import app

    monkeypatch.setattr(app, "make_app", _never)
    with pytest.raises(ConfigurationError, match="JUPYTERHUB_SERVICE_URL http://127.0.0.1 has no port"):
        app.main()


def test_the_register_needs_a_port(portless, monkeypatch):
    from commons_hub.services.register import app

    monkeypatch.setattr(app, "make_app", _never)
    with pytest.raises(ConfigurationError, match="JUPYTERHUB_SERVICE_URL http://127.0.0.1 has no port"):
        app.main()


def test_the_dask_gateway_front_needs_a_port(portless, monkeypatch):
    from commons_hub.services.dask_gateway import front, service

    # Neither drops this (root) test process's privileges nor watches its parent.
    monkeypatch.setattr(service, "drop_privileges", lambda: None)
    monkeypatch.setattr(service, "watch_parent", lambda: None)
    monkeypatch.setattr(front, "make_app", _never)
    with pytest.raises(ConfigurationError, match="JUPYTERHUB_SERVICE_URL http://127.0.0.1 has no port"):
        service.run_front()


def test_the_address_is_the_hubs_or_the_default(monkeypatch):
    from commons_hub.services.serve import service_url

    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:18123/")
    assert service_url("http://127.0.0.1:10101") == ("http://127.0.0.1:18123/", "127.0.0.1", 18123)
    monkeypatch.delenv("JUPYTERHUB_SERVICE_URL")
    assert service_url("http://127.0.0.1:10101").port == 10101
    with pytest.raises(ConfigurationError, match="e.g. :10101"):
        service_url()
