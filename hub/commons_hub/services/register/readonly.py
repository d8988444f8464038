"""A read-only connection to the governance database, for the public register.

SQLite is opened with ``mode=ro`` (the register can never write, and never takes the write lock the data-api's
audit appends need); on PostgreSQL every transaction is READ ONLY (give the register a read-only role too).
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from commons_hub.db import database_url


@functools.lru_cache(maxsize=4)
def readonly_engine(url: str | None = None) -> sa.Engine:
    url = url or database_url()
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        return sa.create_engine(
            f"sqlite:///file:{path}?mode=ro&uri=true", connect_args={"timeout": 30, "check_same_thread": False}
        )
    return sa.create_engine(url, pool_pre_ping=True, execution_options={"postgresql_readonly": True})


def has_table(eng: sa.Engine, name: str) -> bool:
    return sa.inspect(eng).has_table(name)
