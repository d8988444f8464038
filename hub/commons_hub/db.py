"""The governance and audit database: SQLAlchemy Core tables, SQLite by default, PostgreSQL by URL.

Tables other modules add (votes, contributions, releases, story runs) are declared in their own modules on
this same ``METADATA``. ``engine()`` creates an empty database at the newest schema revision and refuses one that
is older (``commons db upgrade``: ``commons_hub.migrations``); a change to any table needs a new revision in
``commons_hub/migrations/versions/`` (tests/unit/test_migrations.py says so when one is missing).
"""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from commons_kernel import config
from commons_kernel.exceptions import ConfigurationError

METADATA = sa.MetaData()

projects = sa.Table(
    "projects",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(80), unique=True, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("public_benefit", sa.Text, nullable=False, default=""),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("proposer", sa.String(120), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # proposed | approved | rejected | withdrawn
    sa.Column("start_date", sa.Date, nullable=True),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
)

project_members = sa.Table(
    "project_members",
    METADATA,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("username", sa.String(120), primary_key=True),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("role", sa.String(40), nullable=False, default="member"),
)

project_datasets = sa.Table(
    "project_datasets",
    METADATA,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("dataset", sa.String(120), primary_key=True),
)

audit_log = sa.Table(
    "audit_log",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("time", sa.String(40), nullable=False),  # ISO 8601 UTC, as hashed
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("actor_kind", sa.String(20), nullable=False),  # user | service | operator
    sa.Column("project", sa.String(80), nullable=True),
    sa.Column("purpose", sa.Text, nullable=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("dataset", sa.String(120), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("rows", sa.BigInteger, nullable=True),
    sa.Column("bytes", sa.BigInteger, nullable=True),
    sa.Column("outcome", sa.String(20), nullable=False),  # ok | denied | error
    sa.Column("detail", sa.Text, nullable=False, default="{}"),  # canonical JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)


def database_url() -> str:
    url = config.setting("db_url")
    if url:
        return url
    home = config.home()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(home) / 'governance.sqlite'}"


def hub_database_url(home: Path | None = None) -> str:
    """JupyterHub's own database (users, servers, tokens): ``COMMONS_HUB_DB_URL``, else SQLite in the state dir."""
    return config.setting("hub_db_url") or f"sqlite:///{Path(home or config.home()) / 'jupyterhub.sqlite'}"


def _sqlite_engine(url: str) -> sa.Engine:
    eng = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(eng, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # WAL: readers never block the writer; NORMAL sync is durable at each checkpoint and safe with WAL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(eng, "begin")
    def _sqlite_begin(conn):
        # Take the write lock at the start so read-then-append (the hash chain) cannot interleave.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return eng


def _postgresql_engine(url: str) -> sa.Engine:
    # Pre-ping: a managed server restarts or drops idle connections; a stale one is replaced, not raised. READ
    # COMMITTED (the default) is enough: the audit append serialises on its table lock, not on isolation.
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_recycle=1800,
        connect_args={"application_name": "commons", "connect_timeout": 10},
    )


_ENGINES: dict[str, sa.Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(url: str) -> sa.Engine:
    with _ENGINES_LOCK:
        if url in _ENGINES:
            return _ENGINES[url]
        backend = sa.engine.make_url(url).get_backend_name()
        if backend == "sqlite":
            eng = _sqlite_engine(url)
        elif backend == "postgresql":
            eng = _postgresql_engine(url)
        else:
            raise ConfigurationError(
                f"COMMONS_DB_URL names a {backend!r} database; the commons runs on SQLite "
                f"(the default) or PostgreSQL (postgresql+psycopg://USER:PASSWORD@HOST/DB)."
            )
        # Import the modules that add tables; create an empty database at head, refuse an outdated one.
        from commons_hub import migrations, tables

        tables.import_all()
        try:
            migrations.ensure(eng, METADATA)
        except Exception:
            eng.dispose()
            raise
        _ENGINES[url] = eng
        return eng


def engine(url: str | None = None) -> sa.Engine:
    return _engine(url or database_url())


def dispose_all() -> None:
    """Close every pooled connection of this process's engines and forget them (after a fork, or in tests)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for eng in engines:
        eng.dispose()
