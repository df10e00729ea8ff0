"""Alembic environment: runs only on the connection handed over by topup.storage.migrate."""

from __future__ import annotations

from alembic import context

from topup.storage.schema import VERSION_TABLE, metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - guard against running `alembic` by hand
    raise RuntimeError("topup migrations run through topup.storage.Store.open(), not the CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=config.get_main_option("version_table") or VERSION_TABLE,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
