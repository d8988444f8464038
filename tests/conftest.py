"""Fixtures shared by every test tier.

- ``seed_dir`` (session): the seed directory of the ``seed_dir`` setting (``../shared/data`` beside the project,
  or ``$COMMONS_SEED_DIR``). Tests that need it are skipped, saying why, when it is absent.
- ``seeded_home`` (session): a state directory into which the real ingest ran once from ``seed_dir`` (~3 s).
  Shared by the whole run: read it, never write to it (use ``state_copy`` to change a state directory).
- ``commons_env`` (function): ``COMMONS_HOME`` set to a fresh per-test directory whose ``datasets/`` links to
  ``seeded_home``'s datasets, so governance databases, secrets and logs a test writes stay its own. Returns it.
- ``state_copy`` (function): a private, writable copy of ``seeded_home`` (its datasets, byte for byte).
- ``linked_seed_dir`` (function): a temporary seed directory of symbolic links to the real seed files; a test
  may replace any entry with a file of its own (unlink it first) without touching the shared data.

- ``hub`` (session): a real JupyterHub from hub/jupyterhub_config.py with all its services on free loopback
  ports and a temporary, seeded COMMONS_HOME (tests/integration/hubfixture.py: token, data_api, spawn, execute,
  hub_api). Shared by the integration, browser and notebook tiers; stopped at the end of the session.

Fixtures used by one tier or one area only live in a ``conftest.py`` in that folder, not here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from commons_kernel.config import setting


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    configured = setting("seed_dir")
    if not configured or not Path(configured).is_dir():
        pytest.skip(f"no seed directory (COMMONS_SEED_DIR={configured!r}): put the files listed in "
                    f"../shared/data/SOURCES.md in ../shared/data or point COMMONS_SEED_DIR at them")
    return Path(configured).resolve()


@pytest.fixture(scope="session")
def seeded_home(seed_dir, tmp_path_factory) -> Path:
    from commons_hub.ingest.run import ingest

    home = tmp_path_factory.mktemp("seeded_home")
    ingest(seed_dir, home=home)
    return home


@pytest.fixture
def commons_env(monkeypatch, seeded_home, tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "datasets").symlink_to(seeded_home / "datasets", target_is_directory=True)
    monkeypatch.setenv("COMMONS_HOME", str(home))
    return home


@pytest.fixture
def state_copy(seeded_home, tmp_path) -> Path:
    home = tmp_path / "state"
    shutil.copytree(seeded_home, home)
    return home


@pytest.fixture
def linked_seed_dir(seed_dir, tmp_path) -> Path:
    linked = tmp_path / "seed"
    linked.mkdir()
    for source in seed_dir.iterdir():
        (linked / source.name).symlink_to(source)
    return linked


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    from tests.integration.hubfixture import RunningHub

    running = RunningHub.in_temporary_home(tmp_path_factory.getbasetemp() / "hub.log")
    try:
        running.start()
    except Exception:
        running.stop()
        running.remove_home()
        raise
    yield running
    running.stop()
    running.remove_home()
