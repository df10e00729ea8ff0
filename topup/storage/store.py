"""The history store: every check, balance change points, and alert state.

Usage::

    from topup.storage import Store

    store = Store.open()                      # ~/.local/share/topup/topup.db, migrated
    store.record([(result, fingerprint)])     # one transaction per batch
    for state in store.latest():
        print(state.account.name, state.last_good, state.last_good_at)
    store.close()

Any SQLAlchemy URL works: ``Store.open("postgresql+psycopg://user@host/db")``.

The store's methods live with what they do: :mod:`~topup.storage.writes` (recording checks),
:mod:`~topup.storage.reads` (history queries) and :mod:`~topup.storage.alerts` (alert state),
over the shared transactions of :mod:`~topup.storage.transactions`.
"""

from __future__ import annotations

from datetime import timedelta
from types import TracebackType
from typing import Self

from sqlalchemy import Engine

from topup.storage.alerts import Alerts
from topup.storage.engine import create, translate_errors
from topup.storage.reads import Reads
from topup.storage.urls import default_url
from topup.storage.writes import DEFAULT_HEARTBEAT, MAX_MESSAGE, Writes

__all__ = ["DEFAULT_HEARTBEAT", "MAX_MESSAGE", "Store"]


class Store(Writes, Reads, Alerts):
    """The history store. Thread-safe for use from one process (it holds a connection pool).

    Every method raises :class:`~topup.storage.StorageUnavailable` when the database cannot be
    reached (nothing partial is written) and :class:`~topup.storage.StorageError` otherwise.
    """

    def __init__(self, engine: Engine, *, heartbeat: timedelta = DEFAULT_HEARTBEAT) -> None:
        """Wrap an engine whose database is already migrated; prefer :meth:`open`."""
        self.engine = engine
        self.heartbeat = heartbeat
        self._backend = engine.dialect.name

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        heartbeat: timedelta = DEFAULT_HEARTBEAT,
        busy_timeout: float = 5.0,
        connect_timeout: float = 10.0,
        migrate_schema: bool = True,
    ) -> Store:
        """Open (and create or migrate) the history database at ``url``.

        ``url`` defaults to ``topup.db`` in the user data directory. ``heartbeat`` is the
        longest time between two stored balance points of an unchanged account.
        """
        engine = create(
            url or default_url(), busy_timeout=busy_timeout, connect_timeout=connect_timeout
        )
        try:
            if migrate_schema:
                from topup.storage import migrate  # Alembic: only when migrating (not to read)

                with translate_errors(engine.dialect.name, "open"):
                    migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, heartbeat=heartbeat)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
