"""Engines with topup's connection settings, and the classification of database failures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, make_url

from topup.storage.errors import StorageError, StorageUnavailable

#: Execution option naming how a SQLite transaction begins (``DEFERRED`` or ``IMMEDIATE``).
SQLITE_BEGIN = "topup_sqlite_begin"

_SQLITE_TRANSIENT = re.compile(
    r"database is locked|database table is locked|busy|unable to open database|disk i/o error"
    r"|readonly|read-only|disk is full",
    re.IGNORECASE,
)


def create(url: str | URL, *, busy_timeout: float = 5.0, connect_timeout: float = 10.0) -> Engine:
    """An engine for ``url``: SQLite in WAL mode with foreign keys, or any other database.

    ``busy_timeout`` (seconds) is how long a SQLite writer waits for a lock before the write
    fails with :class:`StorageUnavailable`; ``connect_timeout`` bounds a network connect.
    """
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(u, busy_timeout)
    connect_args: dict[str, Any] = {}
    if u.get_backend_name() == "postgresql" and "connect_timeout" not in u.query:
        connect_args["connect_timeout"] = max(1, round(connect_timeout))
    return create_engine(u, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(u: URL, busy_timeout: float) -> Engine:
    memory = u.database in (None, "", ":memory:")
    engine = create_engine(
        u,
        connect_args={"timeout": busy_timeout, "check_same_thread": False},
    )
    busy_ms = max(0, round(busy_timeout * 1000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how a transaction begins, instead of
        # the sqlite3 module's implicit and deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):  # pragma: no cover
            raise ValueError(f"bad SQLite begin mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_unavailable(exc: BaseException, backend: str) -> bool:
    """True when ``exc`` means "the database is unreachable or busy", not "the request is bad"."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if backend == "sqlite":
        return isinstance(exc, sa_exc.OperationalError) and bool(
            _SQLITE_TRANSIENT.search(str(exc.orig))
        )
    return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError)


@contextmanager
def translate_errors(backend: str, what: str) -> Iterator[None]:
    """Turn SQLAlchemy errors into :class:`StorageUnavailable` / :class:`StorageError`."""
    try:
        yield
    except StorageError:
        raise
    except sa_exc.SQLAlchemyError as exc:
        detail = str(exc.orig) if isinstance(exc, sa_exc.DBAPIError) else str(exc)
        detail = detail.strip().splitlines()[0] if detail.strip() else type(exc).__name__
        if is_unavailable(exc, backend):
            raise StorageUnavailable(f"{what}: history database unavailable: {detail}") from exc
        raise StorageError(f"{what}: {detail}") from exc
