"""What every part of the store shares: its engine, its transactions, account lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from topup.storage.engine import SQLITE_BEGIN, translate_errors
from topup.storage.errors import StorageError, UnknownAccount
from topup.storage.schema import accounts


class Transactions:
    """The base of :class:`~topup.storage.Store`'s parts (writes, reads, alerts)."""

    engine: Engine
    #: The longest time between two stored balance points of an unchanged account.
    heartbeat: timedelta
    _backend: str

    @contextmanager
    def _tx(self, what: str, *, write: bool) -> Iterator[Connection]:
        with translate_errors(self._backend, what), self.engine.connect() as conn:
            if write:
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def _write(self, what: str) -> AbstractContextManager[Connection]:
        return self._tx(what, write=True)

    def _read(self, what: str) -> AbstractContextManager[Connection]:
        return self._tx(what, write=False)

    def _insert(self, table: Any) -> Any:
        """An ``INSERT`` that supports ``ON CONFLICT`` on this database."""
        if self._backend == "postgresql":
            return postgresql.insert(table)
        if self._backend == "sqlite":
            return sqlite.insert(table)
        raise StorageError(f"unsupported database {self._backend!r}: use SQLite or PostgreSQL")

    def _find_account_id(self, conn: Connection, account: str) -> int | None:
        aid = conn.execute(select(accounts.c.id).where(accounts.c.name == account)).scalar()
        return None if aid is None else int(aid)

    def _account_id(self, conn: Connection, account: str) -> int:
        aid = self._find_account_id(conn, account)
        if aid is None:
            raise UnknownAccount(account)
        return aid
