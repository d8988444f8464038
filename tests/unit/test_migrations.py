"""Schema migrations (commons_hub.migrations, `commons db`), on SQLite and PostgreSQL (``db_backend``).

The previous release's database is made by that release's own code (commit e3107dc, extracted with
``git archive``; tests/unit/legacy_release_child.py), with real rows, then upgraded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from commons_hub import db, migrations, tables
from commons_hub.audit import AuditLog

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_RELEASE = "e3107dc"
CHILD = Path(__file__).with_name("legacy_release_child.py")


@pytest.fixture(scope="session")
def previous_release(tmp_path_factory) -> Path:
    """The code of the release before migrations, as files (hub/commons_hub and commons_kernel)."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs the project's git history (commit e3107dc) to run the previous release's code")
    target = tmp_path_factory.mktemp("release-e3107dc")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE, "hub/commons_hub", "commons_kernel"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


@pytest.fixture
def database_url(db_backend, tmp_path, request) -> str:
    """A URL of a database that does not exist yet (SQLite) or is empty (PostgreSQL), not redirected by the fixture."""
    if db_backend == "postgresql":
        return request.getfixturevalue("postgres_database")
    return f"sqlite:///{tmp_path / 'legacy.sqlite'}"


def plain_engine(url: str) -> sa.Engine:
    backend = sa.engine.make_url(url).get_backend_name()
    return db._postgresql_engine(url) if backend == "postgresql" else sa.create_engine(url)


def counts(url: str) -> dict[str, int]:
    eng = plain_engine(url)
    try:
        with eng.connect() as conn:
            return {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for name, table in sorted(db.METADATA.tables.items())
            }
    finally:
        eng.dispose()


def rows(url: str, table: str) -> list[dict]:
    eng = plain_engine(url)
    try:
        with eng.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).mappings()]
    finally:
        eng.dispose()


class Commons:
    """`commons ...` run in this process (as the console script does), with the test's database and home."""

    def __init__(self, monkeypatch, capsys):
        self.monkeypatch, self.capsys = monkeypatch, capsys

    def __call__(self, *argv: str, url: str, home: Path) -> subprocess.CompletedProcess:
        from commons_hub import cli

        self.monkeypatch.setenv("COMMONS_DB_URL", url)
        self.monkeypatch.setenv("COMMONS_HOME", str(home))
        self.monkeypatch.setenv("COMMONS_ISOLATION", "off")
        self.capsys.readouterr()
        code = cli.main(list(argv))
        out = self.capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out.out, out.err)


@pytest.fixture
def commons(monkeypatch, capsys):
    return Commons(monkeypatch, capsys)


def make_previous_release_database(release: Path, url: str, home: Path) -> dict:
    env = {
        **os.environ,
        "COMMONS_DB_URL": url,
        "COMMONS_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(release / "hub"), str(release)]),
    }
    child = subprocess.run(
        [sys.executable, str(CHILD), str(release)], env=env, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout.splitlines()[-1])


def test_a_previous_release_database_is_refused_then_upgraded_with_nothing_lost(
    previous_release, database_url, tmp_path, commons
):
    home = tmp_path / "home"
    home.mkdir()
    made = make_previous_release_database(previous_release, database_url, home)
    assert made["counts"]["audit_log"] == 8 and made["counts"]["votes"] == 3 and made["counts"]["contributions"] == 1
    before = {
        table: rows(database_url, table)
        for table in ("audit_log", "projects", "project_members", "votes", "proposals", "contributions")
    }

    # The code refuses it, saying what to run; `commons db current` says the same and exits 1.
    with pytest.raises(migrations.SchemaOutdated, match="commons db upgrade"):
        db.engine(database_url)
    current = commons("db", "current", url=database_url, home=home)
    assert current.returncode == 1 and "pre-migrations" in current.stdout and "commons db upgrade" in current.stdout
    assert "password" not in current.stdout.lower() or "***" in current.stdout

    upgraded = commons("db", "upgrade", url=database_url, home=home)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded from pre-migrations to {migrations.head()}" in upgraded.stdout

    assert counts(database_url) == made["counts"]
    for table, old_rows in before.items():
        assert rows(database_url, table) == old_rows, table
    eng = db.engine(database_url)
    assert migrations.current(eng) == migrations.head()
    result = AuditLog(eng, anchor=home / "audit.anchor").verify()
    assert result.ok and result.entries == 8, result.reason
    verify = commons("audit", "verify", url=database_url, home=home)
    assert verify.returncode == 0 and "8 entries" in verify.stdout
    again = commons("db", "upgrade", url=database_url, home=home)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert commons("db", "current", url=database_url, home=home).returncode == 0


def test_commons_up_refuses_an_older_schema_and_names_the_command(previous_release, database_url, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    make_previous_release_database(previous_release, database_url, home)
    env = {**os.environ, "COMMONS_DB_URL": database_url, "COMMONS_HOME": str(home), "COMMONS_ISOLATION": "off"}
    up = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "up", "--no-init"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert up.returncode == 1
    assert "commons db upgrade" in up.stderr and "pre-migrations" not in up.stderr
    assert "release before migrations" in up.stderr
    assert not (home / "jupyterhub.sqlite").exists(), "the hub must not have started"


def test_tables_that_are_not_the_previous_release_are_not_stamped(database_url):
    eng = plain_engine(database_url)
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, hash TEXT)"))
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    with pytest.raises(migrations.SchemaOutdated) as raised:
        migrations.upgrade(eng, db.METADATA)
    message = str(raised.value)
    assert "table 'projects' is missing" in message and "table 'notes' is not one the commons made" in message
    assert "audit_log" in message and "Nothing was changed" in message
    assert migrations.current(eng) == "pre-migrations"
    eng.dispose()


def test_a_fresh_database_is_created_at_head(database_url):
    eng = db.engine(database_url)
    assert migrations.current(eng) == migrations.head()
    assert set(sa.inspect(eng).get_table_names()) == set(db.METADATA.tables) | {"alembic_version"}


def test_the_migrations_build_exactly_the_tables_the_code_declares(database_url):
    """A change to a table with no revision fails here: add one in hub/commons_hub/migrations/versions/."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    tables.import_all()
    eng = plain_engine(database_url)
    with eng.begin() as conn:
        command.upgrade(migrations._config(conn), "head")
    with eng.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.METADATA)
    eng.dispose()
    assert differences == [], (
        "the tables in commons_hub (db.py, tables/) differ from what the migrations build: "
        f"add a revision to hub/commons_hub/migrations/versions/ for {differences}"
    )


def test_a_database_from_newer_code_is_refused(database_url):
    eng = db.engine(database_url)
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose_all()
    with pytest.raises(migrations.SchemaOutdated, match="upgraded by newer code"):
        db.engine(database_url)


def _open_engine(url: str) -> str:
    from commons_hub import db as child_db

    return child_db.engine(url).dialect.name


def test_processes_starting_at_once_on_an_empty_database_create_it_once(database_url):
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        names = pool.map(_open_engine, [database_url] * 4)
    assert len(set(names)) == 1
    assert migrations.current(db.engine(database_url)) == migrations.head()
    assert counts(database_url)["audit_log"] == 0
