"""Schema versions of the governance and audit database (Alembic), and the check every engine makes at start.

- An empty database is created at the newest revision (``METADATA.create_all``, then stamped).
- A database at the newest revision is used as it is.
- Anything else (an older revision, or the tables of the release before migrations with no ``alembic_version``)
  is refused with ``SchemaOutdated``, which says to run ``commons db upgrade``; the code never migrates on its own,
  so an operator backs up first and one process migrates while the services are stopped.

``upgrade`` stamps a pre-migrations database as ``0001_baseline`` when its tables and columns are exactly those of
that release (commit e3107dc), then applies the later revisions, all in one transaction: it commits whole or not
at all. Every step runs under the database's write lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock),
so several processes starting at once on a fresh database create it once.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import sqlalchemy as sa

from commons_kernel.exceptions import ConfigurationError

HERE = Path(__file__).resolve().parent
BASELINE = "0001_baseline"
VERSION_TABLE = "alembic_version"
_LOCK_KEY = 0x636F6D6D6F6E73  # "commons": the advisory lock of schema changes on PostgreSQL
UPGRADE_HINT = (
    "Stop the commons, back up the database, then run `commons db upgrade` (once, from one machine); "
    "`commons db current` shows where it stands (docs/operators/database.md)."
)


class SchemaOutdated(ConfigurationError):
    """The database's schema is older than the code (or unknown to it)."""


def _config(connection: sa.Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    cfg.attributes["connection"] = connection
    return cfg


@functools.lru_cache(maxsize=1)
def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision: the schema this code needs."""
    return _scripts().get_current_head()


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def safe_url(eng: sa.Engine) -> str:
    return eng.url.render_as_string(hide_password=True)


@contextlib.contextmanager
def _locked(eng: sa.Engine):
    # The SQLite engine of commons_hub.db begins every transaction with BEGIN IMMEDIATE: already the write lock.
    with eng.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        yield conn


def _current(conn: sa.Connection) -> tuple[str | None, set[str]]:
    """(revision or None, names of the other tables)."""
    names = set(sa.inspect(conn).get_table_names())
    revision = None
    if VERSION_TABLE in names:
        revision = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return revision, names - {VERSION_TABLE}


def current(eng: sa.Engine) -> str | None:
    """The database's revision: None if empty, ``"pre-migrations"`` for the release before migrations."""
    with eng.connect() as conn:
        revision, names = _current(conn)
    if revision is None and names:
        return "pre-migrations"
    return revision


def ensure(eng: sa.Engine, metadata: sa.MetaData) -> None:
    """Create an empty database at head; accept one at head; refuse anything else (``SchemaOutdated``)."""
    with _locked(eng) as conn:
        revision, names = _current(conn)
        if revision is None and not names:
            metadata.create_all(conn)
            _stamp(conn, head())
            return
    if revision == head():
        return
    if revision is None:
        state = "has the tables of the release before migrations (no alembic_version table)"
    elif revision in revisions():
        state = f"is at schema revision {revision!r}"
    else:
        raise SchemaOutdated(
            f"The governance database {safe_url(eng)} is at schema revision {revision!r}, which this "
            f"code does not know (its newest is {head()!r}): it was upgraded by newer code. Run "
            f"that version of the commons, or restore a backup made before the upgrade."
        )
    raise SchemaOutdated(f"The governance database {safe_url(eng)} {state}; this code needs {head()!r}. {UPGRADE_HINT}")


def _stamp(conn: sa.Connection, revision: str) -> None:
    from alembic.runtime.migration import MigrationContext

    MigrationContext.configure(conn).stamp(_scripts(), revision)


@functools.lru_cache(maxsize=1)
def baseline_columns() -> dict[str, set[str]]:
    """Tables and columns of the release before migrations, made by running the baseline revision in memory."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    baseline = _scripts().get_revision(BASELINE).module
    scratch = sa.create_engine("sqlite://")
    with scratch.begin() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            baseline.upgrade()
        inspector = sa.inspect(conn)
        found = {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}
    scratch.dispose()
    return found


def _check_matches_baseline(conn: sa.Connection, url: str) -> None:
    inspector = sa.inspect(conn)
    found = {
        name: {c["name"] for c in inspector.get_columns(name)}
        for name in inspector.get_table_names()
        if name != VERSION_TABLE
    }
    expected = baseline_columns()
    problems = [f"table {name!r} is missing" for name in sorted(set(expected) - set(found))]
    problems += [f"table {name!r} is not one the commons made" for name in sorted(set(found) - set(expected))]
    for name in sorted(set(found) & set(expected)):
        if found[name] != expected[name]:
            missing, extra = sorted(expected[name] - found[name]), sorted(found[name] - expected[name])
            problems.append(f"table {name!r} differs (missing columns {missing}, unexpected {extra})")
    if problems:
        raise SchemaOutdated(
            f"The governance database {url} has no alembic_version table and its tables are not "
            f"those of the release before migrations (e3107dc): {'; '.join(problems)}. Nothing was "
            f"changed. Restore a backup of the commons' own database, or ask for help with this one."
        )


def upgrade(eng: sa.Engine, metadata: sa.MetaData) -> tuple[str | None, str]:
    """Bring the database to head in one transaction; returns (revision before, revision after)."""
    from alembic import command

    with _locked(eng) as conn:
        revision, names = _current(conn)
        before = revision if (revision or not names) else "pre-migrations"
        if revision is None and not names:
            metadata.create_all(conn)
            _stamp(conn, head())
            return before, head()
        if revision is None:
            _check_matches_baseline(conn, safe_url(eng))
            _stamp(conn, BASELINE)
        elif revision not in revisions():
            raise SchemaOutdated(
                f"The governance database {safe_url(eng)} is at revision {revision!r}, newer than "
                f"this code ({head()!r}): nothing to do here; run the newer commons."
            )
        command.upgrade(_config(conn), "head")
    return before, head()
