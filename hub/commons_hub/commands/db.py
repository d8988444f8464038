"""`commons db upgrade|current`: the governance and audit database's schema revision (Alembic)."""

from __future__ import annotations

import os

import sqlalchemy as sa


def register(sub) -> None:
    parser = sub.add_parser("db", help="the governance database's schema: show it, or upgrade it to this code's")
    dsub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    p = dsub.add_parser(
        "upgrade",
        help="migrate the database (COMMONS_DB_URL, else SQLite in $COMMONS_HOME) to the "
        "schema this code needs, in one transaction; back it up first",
    )
    p.set_defaults(handler=upgrade)
    p = dsub.add_parser(
        "current",
        help="the database's schema revision and the one this code needs; exit 0 if "
        "they match, 1 if `commons db upgrade` is needed",
    )
    p.set_defaults(handler=current)


def _plain_engine() -> sa.Engine:
    """An engine that does not refuse an outdated schema (``db.engine()`` does): the one thing allowed on it is
    to look at it or upgrade it."""
    from commons_hub import db

    url = db.database_url()
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        return db._sqlite_engine(url)
    return db._postgresql_engine(url)


def upgrade(args) -> int:
    from commons_hub import migrations, tables
    from commons_hub.db import METADATA

    tables.import_all()
    eng = _plain_engine()
    try:
        before, after = migrations.upgrade(eng, METADATA)
    finally:
        eng.dispose()
    where = migrations.safe_url(eng)
    if before == after:
        print(f"{where}: already at {after}; nothing to do.")
    elif before is None:
        print(f"{where}: empty; created at {after}.")
    else:
        print(f"{where}: upgraded from {before} to {after}.")
    return 0


def current(args) -> int:
    from commons_hub import migrations

    eng = _plain_engine()
    try:
        revision = migrations.current(eng)
    finally:
        eng.dispose()
    needed = migrations.head()
    print(f"database: {migrations.safe_url(eng)}")
    print(f"revision: {revision or 'empty (created at the newest revision on first use)'}")
    print(f"code needs: {needed}")
    if revision in (needed, None):
        return 0
    print("Run `commons db upgrade` (stop the commons and back up the database first).")
    return 1


def refuse_outdated() -> None:
    """Before `commons up`: raise ``SchemaOutdated`` (saying to run `commons db upgrade`) unless the database is
    empty, missing (made at the newest revision on first use) or already at the newest revision."""
    from commons_hub import db, migrations

    url = sa.engine.make_url(db.database_url())
    if url.get_backend_name() == "sqlite" and url.database and not os.path.exists(url.database):
        return
    eng = _plain_engine()
    try:
        revision = migrations.current(eng)
        if revision not in (None, migrations.head()):
            migrations.ensure(eng, db.METADATA)  # raises, naming the revision and the command to run
    finally:
        eng.dispose()
