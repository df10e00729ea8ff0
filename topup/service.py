"""The running service of ``topup watch``, ``serve`` and ``demo``, built in one place.

::

    history = History.open(url)                  # StorageError: a bad URL; down is fine
    service = build(config, history, watch_options(config))   # ConfigError: a bad [alerts]
    results = run_watch(service, once=True)      # `topup watch`
    serve_web(service, host="127.0.0.1", port=8000, token=None)   # `topup serve`, `topup demo`

Results go to the watcher's :class:`~topup.storage.PendingWrites`; alerts keep their state
through a :class:`~topup.storage.DeferredStore` on it; the web app reads the same history. When
the database is down at start, all three wait for it: results are kept in memory, the web app
answers 503 "history database unavailable", and everything is written, read and alerted on as
soon as it opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.engine import make_url

from topup.config import Config
from topup.durations import parse_duration
from topup.errors import ConfigError
from topup.hosts import is_ip
from topup.model import CheckResult
from topup.storage import DeferredStore, PendingWrites, StorageUnavailable, Store, default_url
from topup.watch import Watcher, WatchOptions
from topup.watch.shared import (
    SharedDeferredStore,
    SharedHistory,
    SharedSchedule,
    due_again,
)
from topup.watch.watcher import AlertSink

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("topup.service")


class ServeError(Exception):
    """The web server could not start."""


class History:
    """The history store: opened at start, or on first use while the database is down."""

    def __init__(self, url: str | None, store: Store | None = None) -> None:
        self.url = url
        self._store = store
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str | None) -> History:
        """Open it now if the database is reachable; raises any other :class:`StorageError`."""
        try:
            store: Store | None = Store.open(url)
        except StorageUnavailable as exc:
            log.warning(
                "history database unreachable at start (%s); results will wait in memory", exc
            )
            store = None
        return cls(url, store)

    @property
    def store(self) -> Store | None:
        """The store, once it could be opened."""
        return self._store

    def get(self) -> Store:
        """The store, opened now if need be; raises :class:`StorageUnavailable` while down."""
        with self._lock:
            if self._store is None:
                self._store = Store.open(self.url)
            return self._store

    def reader(self) -> Store:
        """A stand-in for the store for the web app: every use goes to :meth:`get`."""
        return cast(Store, _Reader(self))

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()


class _Reader:
    """Forwards every attribute to the store, opening it first (see :meth:`History.reader`)."""

    def __init__(self, history: History) -> None:
        self._history = history

    def __getattr__(self, name: str) -> Any:
        return getattr(self._history.get(), name)


@dataclass(frozen=True, slots=True)
class Service:
    config: Config
    history: History
    pending: PendingWrites
    alerts: AlertSink | None
    watcher: Watcher

    def web_app(self, token: str | None, host: str | None = None) -> FastAPI:
        """The web app; ``host`` (what ``--host`` bound) is answered too when it is a name."""
        from topup.web import create_app  # FastAPI loads only for the commands that serve

        hosts = self.config.settings.serve.allowed_hosts
        if host and not is_ip(host.strip("[]")):
            hosts = (*hosts, host.lower())
        return create_app(
            store=self.history.reader(),
            accounts=self.watcher.accounts,
            check_now=self.watcher.check_now,
            token=token,
            allowed_hosts=hosts,
            lang=self.config.settings.ui.lang,
        )


def watch_options(config: Config, interval: str | None = None) -> WatchOptions:
    """``--interval`` (when given), else ``[watch] interval``; checks as ``[check]`` says."""
    seconds = config.settings.watch.interval or WatchOptions().interval
    if interval is not None:
        given = parse_duration(interval)
        if given is None or given <= 0:
            raise ConfigError(
                "[watch] interval must be a positive duration", path=config.path, hint='e.g. "15m"'
            )
        seconds = given
    return WatchOptions(
        interval=seconds,
        run=config.settings.check.run_options(),
        lease=config.settings.watch.lease,
    )


def build(config: Config, history: History, options: WatchOptions) -> Service:
    """The write buffer, alerts and watcher of the config's enabled accounts.

    Raises :class:`ConfigError` for a bad ``[alerts]`` or account ``alerts`` table, and for
    ``[watch] lease`` with a history database that is not PostgreSQL.
    """
    if options.lease is not None:
        return _build_shared(config, history, options, options.lease)
    pending = PendingWrites(history.store if history.store is not None else history.get)
    alerts: AlertSink | None = None
    if config.settings.alerts_configured:
        from topup.alerts import AlertManager  # apprise loads slowly: only when alerts are on

        # Through the buffer: alerts keep their state in the database as soon as it is
        # reachable, even when the service started while it was down.
        alerts = AlertManager.from_config(config, DeferredStore(pending))
    watcher = Watcher(config.select([]), pending, options=options, alerts=alerts)
    return Service(config, history, pending, alerts, watcher)


def _build_shared(config: Config, history: History, options: WatchOptions, lease: float) -> Service:
    """:func:`build` for one of several workers sharing the accounts through PostgreSQL."""
    backend = make_url(history.url or default_url()).get_backend_name()
    if backend != "postgresql":
        raise ConfigError(
            f"[watch] lease shares the accounts between workers through PostgreSQL; "
            f"this history database is {backend}",
            path=config.path,
            hint='set [storage] url = "postgresql+psycopg://user@host/db" (or --db) on every '
            "worker, or remove lease to watch every account from this one process",
        )
    accounts = config.select([])
    interval_of = options.interval_of
    shared = SharedHistory(
        history.get, lease=lease, due_in=due_again(interval_of, accounts, options.jitter)
    )
    pending = PendingWrites(shared.get)
    alerts: AlertSink | None = None
    if config.settings.alerts_configured:
        from topup.alerts import AlertManager

        # One transaction per observation, the account locked: a transition is sent once.
        alerts = AlertManager.from_config(config, SharedDeferredStore(pending), shared=True)
    schedule = SharedSchedule(
        shared,
        capacity=options.run.concurrency,
        start_spread=options.start_spread,
        interval_of=interval_of,
    )
    watcher = Watcher(accounts, pending, options=options, alerts=alerts, shared=schedule)
    return Service(config, history, pending, alerts, watcher)


def _on_stop_signals(callback: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, callback)


async def watch_and_keep(service: Service, stop: asyncio.Event) -> None:
    """The watcher until ``stop``, and history retention when ``[storage] keep`` is set (a
    pass right away, then hourly, in a thread)."""
    keep = service.config.settings.storage.keep
    if keep is None:
        await service.watcher.run(stop)
        return
    from topup.storage.prune import keep_pruning

    pruning = asyncio.create_task(keep_pruning(service.history.get, timedelta(seconds=keep), stop))
    try:
        await service.watcher.run(stop)
    finally:
        stop.set()
        await pruning


def run_watch(service: Service, *, once: bool = False) -> list[CheckResult]:
    """Watch until SIGINT/SIGTERM (``once``: one round, its results returned)."""

    async def main() -> list[CheckResult]:
        stop = asyncio.Event()
        _on_stop_signals(stop.set)
        if once:
            return await service.watcher.check_now()
        await watch_and_keep(service, stop)
        return []

    return asyncio.run(main())


def _log_warm_failure(task: asyncio.Task[object]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not prepare the dashboard: %s", task.exception())


def serve_web(
    service: Service,
    *,
    host: str,
    port: int,
    token: str | None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Watch and serve the web app until SIGINT/SIGTERM, then stop after in-flight checks.

    Raises :class:`ServeError` when it cannot listen on ``host:port``.
    """
    import uvicorn  # imported here: every command module loads when `topup` starts

    web = service.web_app(token, host)

    class Server(uvicorn.Server):
        """uvicorn without its own signal capture: we stop it (and the watcher) ourselves."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    server = Server(
        uvicorn.Config(
            web, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
        )
    )

    async def main() -> None:
        stop = asyncio.Event()

        def shutdown() -> None:
            if server.should_exit:
                server.force_exit = True
            server.should_exit = True
            stop.set()

        _on_stop_signals(shutdown)
        watching = asyncio.create_task(watch_and_keep(service, stop))

        async def serve_quietly() -> None:
            # uvicorn calls sys.exit() when it cannot listen; that must not end the process
            # (asyncio would re-raise it out of the loop): `server.started` stays False instead.
            with contextlib.suppress(SystemExit):
                await server.serve()

        serving = asyncio.create_task(serve_quietly())
        while not server.started and not serving.done():
            await asyncio.sleep(0.05)
        if not server.started:  # uvicorn could not listen (it exits its task on that)
            stop.set()
            await watching
            raise ServeError(f"could not listen on {host}:{port}; is the port in use?")
        bound = port
        for listener in server.servers:
            for sock in listener.sockets:
                bound = sock.getsockname()[1]
        url = f"http://{host if ':' not in host else f'[{host}]'}:{bound}/"
        log.info("dashboard at %s", url)
        if on_ready is not None:
            on_ready(url)
        # Compute the dashboard's 7-day summaries now, not on the first visitor's request.
        warming = asyncio.create_task(asyncio.to_thread(web.state.board.views))
        warming.add_done_callback(_log_warm_failure)
        await serving  # returns after SIGINT/SIGTERM
        stop.set()
        await watching

    try:
        asyncio.run(main())
    finally:
        service.history.close()
