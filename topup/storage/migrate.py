"""Apply the packaged Alembic migrations on one connection, safely against concurrent opens."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from topup.storage.engine import SQLITE_BEGIN
from topup.storage.schema import VERSION_TABLE

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """A programmatic Alembic configuration pointing into the package (no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", VERSION_TABLE)
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema, in one transaction.

    Concurrent opens are serialised: on SQLite by ``BEGIN IMMEDIATE`` (one writer at a time),
    on PostgreSQL by a transaction-scoped advisory lock keyed on the current schema. The
    second opener then finds the version table at head and does nothing.
    """
    head = head_revision()
    if current_revision(engine) == head:
        return
    with engine.connect() as conn:
        conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text(
                        "SELECT pg_advisory_xact_lock("
                        "hashtext('topup-migrate:' || current_schema()))"
                    )
                )
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
