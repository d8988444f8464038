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

- ``postgres_server`` (session): a throwaway PostgreSQL server on a free loopback port (tests/postgres_server.py:
  Debian's binaries as the ``postgres`` account, password auth on 127.0.0.1), with a template database at the
  newest schema revision; stopped at the end of the session. Skipped when PostgreSQL is not installed, unless
  ``WITH_POSTGRES=1`` (``make test``), when its absence fails.
- ``postgres_database`` (function): the URL of a fresh empty database on that server, dropped after the test.
- ``db_backend`` (function, ``"sqlite"`` or ``"postgresql"``): every test in ``DATABASE_TEST_MODULES`` and
  ``DATABASE_TESTS`` (the ones that touch the governance and audit database) runs once on each. On
  ``postgresql``, ``COMMONS_DB_URL`` names a fresh database copied from the template, and the SQLite file URLs
  the test builds itself (``engine(f"sqlite:///{home / 'governance.sqlite'}")``, ``readonly_engine(...)``) are
  sent there too: every ``governance.sqlite`` to that database, any other file name to a fresh database of its
  own. Tests whose child processes open a SQLite path of their own are in ``SQLITE_ONLY``: SQLite only
  (``POSTGRESQL_ONLY``: the reverse, where SQLite has a test of its own).

Fixtures used by one tier or one area only live in a ``conftest.py`` in that folder, not here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from commons_kernel.config import setting

# Modules whose tests touch the governance and audit database: each of their tests runs on SQLite and PostgreSQL.
# Not here: test_governance_atomic (its crash child, tests/unit/governance_crash_child.py, opens SQLite by path).
DATABASE_TEST_MODULES = {
    "test_ask_cli",
    "test_assistant_use_records",
    "test_audit",
    "test_audit_cli",
    "test_audit_register",
    "test_audit_tamper",
    "test_contributions",
    "test_contributions_register",
    "test_data_api_walls",
    "test_quorum_decisions",
    "test_releases_rules",
    "test_releases_service",
    "test_rules_cannot_loosen",
    "test_migrations",
    "test_db_backends",
    "test_audit_concurrency",
    "test_policy",
    "test_releases_outputs",
}
# Single tests of slower modules whose database use is small: one representative each, to keep the suite's time.
DATABASE_TESTS = {"test_stories_runner.py::test_a_refresh_publishes_every_place_with_checked_numbers"}
# Tests whose child processes open a SQLite file by path (or run the CLI with a bare environment): SQLite only.
SQLITE_ONLY = {
    "test_audit.py::test_concurrent_processes_lose_nothing_and_keep_one_chain",  # test_audit_postgres.py instead
    "test_audit.py::test_commons_audit_verify_exit_codes",
}
# PostgreSQL only, where SQLite has its own test already (test_audit.py: several processes appending).
POSTGRESQL_ONLY = {"test_audit_concurrency.py::test_eight_processes_lose_nothing_and_keep_one_chain"}


def pytest_generate_tests(metafunc):
    module = metafunc.definition.path.stem
    key = f"{metafunc.definition.path.name}::{metafunc.definition.originalname}"
    if "db_backend" not in metafunc.fixturenames:
        if module not in DATABASE_TEST_MODULES and key not in DATABASE_TESTS:
            return
        metafunc.fixturenames.insert(0, "db_backend")  # first, so COMMONS_DB_URL is set before other fixtures
    backends = ["sqlite", "postgresql"]
    if key in SQLITE_ONLY or key in POSTGRESQL_ONLY:
        backends = ["sqlite"] if key in SQLITE_ONLY else ["postgresql"]
    metafunc.parametrize("db_backend", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    import os

    from tests.postgres_server import ThrowawayPostgres, postgres_bin

    if postgres_bin() is None:
        if os.environ.get("WITH_POSTGRES") == "1":
            pytest.fail("WITH_POSTGRES=1 but PostgreSQL is not installed: scripts/setup.sh installs it")
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql; `make test` does it)")
    # A test server: durability off (a crash loses the throwaway server anyway), so the suite stays fast.
    server = ThrowawayPostgres({"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}).start()
    try:
        from commons_hub import db

        url = server.create_database("commons_head")
        db.engine(url)  # the newest schema, once; each test copies it
        db.dispose_all()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_database(postgres_server):
    from commons_hub import db

    url = postgres_server.create_database()
    yield url
    db.dispose_all()
    postgres_server.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def db_backend(request, monkeypatch):
    if request.param == "sqlite":
        yield "sqlite"
        return
    import sqlalchemy as sa

    from commons_hub import db

    server = request.getfixturevalue("postgres_server")
    made: list[str] = []
    created: list[sa.Engine] = []

    def new_database(template: str) -> str:
        url = server.create_database(template=template)
        made.append(url.rsplit("/", 1)[1])
        return url

    governance = new_database("commons_head")
    others: dict[str, str] = {}
    real_create_engine = sa.create_engine

    def postgres_for(url) -> str | None:
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
            return None
        path = parsed.database.removeprefix("file:")
        if path.endswith("governance.sqlite"):
            return governance
        if path not in others:
            others[path] = new_database("template0")
        return others[path]

    def create_engine(url, *args, **kwargs):  # readonly_engine() and tests' own sa.create_engine("sqlite:...")
        target = postgres_for(url)
        if target is None:
            return real_create_engine(url, *args, **kwargs)
        kwargs.pop("connect_args", None)
        if "mode=ro" in str(url):
            kwargs.setdefault("execution_options", {})["postgresql_readonly"] = True
        eng = real_create_engine(target, *args, **kwargs)
        created.append(eng)
        return eng

    real_sqlite_engine = db._sqlite_engine

    def sqlite_engine(url):  # db.engine("sqlite:///...governance.sqlite")
        target = postgres_for(url)
        return db._postgresql_engine(target) if target else real_sqlite_engine(url)

    monkeypatch.setattr(sa, "create_engine", create_engine)
    monkeypatch.setattr(db, "_sqlite_engine", sqlite_engine)
    monkeypatch.setenv("COMMONS_DB_URL", governance)
    db.dispose_all()
    yield "postgresql"
    db.dispose_all()
    for eng in created:
        eng.dispose()
    for name in made:
        server.drop_database(name)


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    configured = setting("seed_dir")
    if not configured or not Path(configured).is_dir():
        pytest.skip(
            f"no seed directory (COMMONS_SEED_DIR={configured!r}): put the files listed in "
            f"../shared/data/SOURCES.md in ../shared/data or point COMMONS_SEED_DIR at them"
        )
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
