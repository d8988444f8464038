"""The governance and audit database: SQLAlchemy Core tables, SQLite by default, PostgreSQL by URL.

Tables other modules add (votes, contributions, releases, story runs) are declared in their own modules on
this same ``METADATA`` so that ``engine()`` creates them all.
"""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa

from commons_kernel import config

METADATA = sa.MetaData()

projects = sa.Table(
    "projects", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(80), unique=True, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("public_benefit", sa.Text, nullable=False, default=""),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("proposer", sa.String(120), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),          # proposed | approved | rejected | withdrawn
    sa.Column("start_date", sa.Date, nullable=True),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
)

project_members = sa.Table(
    "project_members", METADATA,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("username", sa.String(120), primary_key=True),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("role", sa.String(40), nullable=False, default="member"),
)

project_datasets = sa.Table(
    "project_datasets", METADATA,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("dataset", sa.String(120), primary_key=True),
)

audit_log = sa.Table(
    "audit_log", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("time", sa.String(40), nullable=False),             # ISO 8601 UTC, as hashed
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("actor_kind", sa.String(20), nullable=False),       # user | service | operator
    sa.Column("project", sa.String(80), nullable=True),
    sa.Column("purpose", sa.Text, nullable=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("dataset", sa.String(120), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("rows", sa.BigInteger, nullable=True),
    sa.Column("bytes", sa.BigInteger, nullable=True),
    sa.Column("outcome", sa.String(20), nullable=False),          # ok | denied | error
    sa.Column("detail", sa.Text, nullable=False, default="{}"),   # canonical JSON
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


@functools.lru_cache(maxsize=8)
def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
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
    else:
        eng = sa.create_engine(url, pool_pre_ping=True)
    # Import the modules that add tables, then create whatever is missing.
    from commons_hub import tables

    tables.import_all()
    METADATA.create_all(eng)
    return eng


def engine(url: str | None = None) -> sa.Engine:
    return _engine(url or database_url())
