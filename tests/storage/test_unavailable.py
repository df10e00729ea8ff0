"""Nothing lost: an unreachable or locked database raises StorageUnavailable, writes nothing
partial, and PendingWrites keeps the results until the database is back."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from loopback import free_port
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from topup.storage import PendingWrites, StorageError, StorageUnavailable, Store, sqlite_url

from .conftest import PgSchema
from .helpers import T0, ok


class TcpProxy:
    """A loopback TCP proxy to the PostgreSQL server that can be taken down and up again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(("127.0.0.1", self.port))
        lst.listen(16)
        self._listener = lst
        threading.Thread(target=self._accept, args=(lst,), daemon=True).start()

    def down(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for c in self._conns:
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
                c.close()
            self._conns.clear()

    def _accept(self, lst: socket.socket) -> None:
        while True:
            try:
                client, _ = lst.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(pg_schema: PgSchema) -> Iterator[tuple[TcpProxy, str]]:
    url = make_url(pg_schema.url)
    p = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    p.up()
    proxied = url.set(host="127.0.0.1", port=p.port).render_as_string(hide_password=False)
    try:
        yield p, proxied
    finally:
        p.down()


def batch(n: int, minute: float) -> list[tuple[Any, str | None]]:
    return [(ok(f"acct{i}", str(100 - minute), minute), "fp") for i in range(n)]


def exported_minutes(store: Store) -> list[float]:
    return sorted({(r.checked_at - T0) / timedelta(minutes=1) for r in store.export()})


@pytest.mark.postgres
def test_postgres_down_and_back(proxy: tuple[TcpProxy, str], pg_schema: PgSchema) -> None:
    p, url = proxy
    store = Store.open(url, connect_timeout=2)
    pending = PendingWrites(store)
    try:
        assert pending.record(batch(5, 0))
        p.down()
        with pytest.raises(StorageUnavailable, match="unavailable"):
            store.record(batch(5, 5))
        assert not pending.record(batch(5, 5))
        assert not pending.record(batch(5, 10))
        assert pending.pending == 10
        assert isinstance(pending.last_error, StorageUnavailable)
        with pytest.raises(StorageUnavailable):
            store.latest()
        p.up()
        assert pending.flush()
        assert pending.pending == 0 and pending.dropped == 0 and pending.last_error is None
        with Store.open(pg_schema.url) as direct:
            assert exported_minutes(direct) == [0, 5, 10]
            assert len(list(direct.export())) == 15
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_closed_port_then_right_one(pg_schema: PgSchema) -> None:
    target = {"url": make_url(pg_schema.url).set(port=free_port()).render_as_string(False)}
    pending = PendingWrites(lambda: Store.open(target["url"], connect_timeout=2))
    assert not pending.record(batch(3, 0))
    assert not pending.record(batch(3, 5))
    assert pending.store is None and pending.pending == 6
    target["url"] = pg_schema.url
    assert pending.flush()
    assert pending.store is not None
    assert exported_minutes(pending.store) == [0, 5]
    pending.store.close()


@pytest.mark.postgres
def test_postgres_backend_killed_mid_batch_leaves_nothing(pg_schema: PgSchema) -> None:
    store = Store.open(pg_schema.url)
    admin = create_engine(pg_schema.base, isolation_level="AUTOCOMMIT")
    store.record(batch(2, 0))
    armed = {"on": True}

    @event.listens_for(store.engine, "before_cursor_execute")
    def kill(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if armed["on"] and statement.lstrip().upper().startswith("INSERT INTO BALANCES"):
            armed["on"] = False
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.connect() as a:
                a.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")

    try:
        with pytest.raises(StorageUnavailable):
            store.record(batch(4, 5))  # accounts acct2, acct3 and checks were already sent
        assert exported_minutes(store) == [0]
        assert [a.name for a in store.accounts()] == ["acct0", "acct1"]
        store.record(batch(4, 5))  # the pool reconnects
        assert exported_minutes(store) == [0, 5]
    finally:
        store.close()
        admin.dispose()


def test_sqlite_locked_file(tmp_path: Path) -> None:
    path = tmp_path / "topup.db"
    store = Store.open(sqlite_url(path), busy_timeout=0.2)
    pending = PendingWrites(store)
    assert pending.record(batch(2, 0))
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageUnavailable, match="locked"):
            store.record(batch(2, 5))
        assert not pending.record(batch(2, 5))
        assert not pending.record(batch(2, 10))
        assert pending.pending == 4
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert pending.flush()
    assert exported_minutes(store) == [0, 5, 10]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store.close()


def test_sqlite_missing_directory_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable):
        Store.open(sqlite_url(tmp_path / "no" / "such" / "dir" / "x.db"))


class FlakyStore(Store):
    """A store whose writes fail while ``down`` is set; records batches it accepted."""

    def __init__(self) -> None:  # no engine needed
        self.down = True
        self.written: list[list[Any]] = []
        self.poison: set[str] = set()

    def record(self, results: Any) -> Any:
        if self.down:
            raise StorageUnavailable("down")
        if any(r.account in self.poison for r, _ in results):
            raise StorageError("refused")
        self.written.append(list(results))
        return None


def test_pending_writes_is_bounded_and_ordered(caplog: pytest.LogCaptureFixture) -> None:
    store = FlakyStore()
    pending = PendingWrites(store, max_results=5)
    for m in range(4):
        assert not pending.record([(ok("a", "1", m), None), (ok("b", "1", m), None)])
    assert pending.pending == 5 and pending.dropped == 3
    assert "dropped the" in caplog.text
    store.down = False
    assert pending.flush()
    flat = [
        (r.account, (r.checked_at - T0) / timedelta(minutes=1)) for b in store.written for r, _ in b
    ]
    assert flat == [("b", 1), ("a", 2), ("b", 2), ("a", 3), ("b", 3)]
    assert pending.pending == 0


def test_pending_writes_drops_a_refused_batch() -> None:
    store = FlakyStore()
    store.down = False
    store.poison = {"bad"}
    pending = PendingWrites(store)
    pending.add([(ok("bad", "1"), None)])
    pending.add([(ok("good", "1"), None)])
    with pytest.raises(StorageError):
        pending.flush()
    assert pending.dropped == 1 and pending.pending == 1
    assert pending.flush()
    assert [b[0][0].account for b in store.written] == ["good"]
    with pytest.raises(ValueError):
        PendingWrites(store, max_results=0)
