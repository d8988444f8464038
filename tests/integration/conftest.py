"""Integration fixtures.

- ``hub`` (session): a real JupyterHub from hub/jupyterhub_config.py with its services, on free loopback
  ports, with a temporary COMMONS_HOME seeded by `commons init`; stopped at the end of the session.
  See tests/integration/hubfixture.py for what it offers (token, data_api, spawn, execute, hub_api).
"""

from __future__ import annotations

import pytest

from tests.integration.hubfixture import RunningHub


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    home = tmp_path_factory.mktemp("commons-home")
    running = RunningHub(home, tmp_path_factory.getbasetemp() / "hub.log")
    try:
        running.start()
    except Exception:
        running.stop()
        raise
    yield running
    running.stop()
