"""Alembic's environment for the governance and audit schema: run by ``commons db upgrade`` (never by hand).

The caller passes an open connection in ``config.attributes["connection"]``, so the upgrade runs inside the
caller's transaction and lock (``commons_hub.migrations.upgrade``)."""

from alembic import context

from commons_hub.db import METADATA

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=METADATA, render_as_batch=True, transaction_per_migration=False
)
with context.begin_transaction():
    context.run_migrations()
