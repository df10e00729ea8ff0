"""`topup watch`: check every account on its interval, record history, send alerts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from topup import config as config_module
from topup.cli.app import app
from topup.cli.check import below_minimum, exit_status, run_options
from topup.cli.common import (
    EXIT_FAILED,
    ConfigOption,
    DbOption,
    err_console,
    fail_config,
    install_log_redaction,
    store_url,
)
from topup.config import Config, parse_duration
from topup.errors import ConfigError
from topup.model import CheckResult
from topup.storage import (
    DeferredStore,
    PendingWrites,
    StorageError,
    StorageUnavailable,
    Store,
)
from topup.watch import Watcher, WatchOptions
from topup.watch.watcher import AlertSink

if TYPE_CHECKING:
    from topup.alerts.manager import AlertStore

log = logging.getLogger("topup.watch")


def watch_options(cfg: Config, interval: str | None) -> WatchOptions:
    section = cfg.section("watch")
    raw = interval if interval is not None else section.get("interval")
    seconds = parse_duration(raw) if raw is not None else WatchOptions().interval
    if seconds is None or seconds <= 0:
        raise ConfigError(
            "[watch] interval must be a positive duration", path=cfg.path, hint='e.g. "15m"'
        )
    return WatchOptions(interval=seconds, run=run_options(cfg))


def alert_manager(cfg: Config, store: AlertStore | None) -> AlertSink | None:
    """The alert manager when alerts are configured; its state lives in the store."""
    if not cfg.section("alerts") and not any("alerts" in a.extra for a in cfg.accounts):
        return None
    from topup.alerts import AlertManager

    return AlertManager.from_config(cfg, store)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def setup_logging() -> None:
    root = logging.getLogger()
    if not any(isinstance(h, StderrHandler) for h in root.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root.handlers = [handler]
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


@app.command()
def watch(
    config: ConfigOption = None,
    db: DbOption = None,
    interval: Annotated[
        str | None, typer.Option(help="Default interval between checks, e.g. 15m, 90s.")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Check every account once, then exit.")
    ] = False,
) -> None:
    """Check every account on its interval, keep history, and send alerts.

    Logs one line per check. Stops cleanly on Ctrl-C or SIGTERM after in-flight checks.
    """
    try:
        cfg = config_module.load(config)
        options = watch_options(cfg, interval)
    except ConfigError as exc:
        fail_config(exc)
    setup_logging()
    install_log_redaction(cfg.accounts)
    url = store_url(db, cfg.section("storage"))
    try:
        store: Store | None = Store.open(url)
    except StorageUnavailable as exc:
        log.warning("history database unreachable at start (%s); results will wait in memory", exc)
        store = None
    except StorageError as exc:
        err_console.print(f"[red]topup: history database error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    pending = PendingWrites(store if store is not None else (lambda: Store.open(url)))
    try:
        # Through the buffer: alerts keep their state in the database as soon as it is reachable,
        # even when the watcher started while it was down.
        alerts = alert_manager(cfg, DeferredStore(pending))
    except ConfigError as exc:
        fail_config(exc)
    watcher = Watcher(cfg.select([]), pending, options=options, alerts=alerts)
    results = asyncio.run(_main(watcher, once))
    if pending.pending:
        raise typer.Exit(EXIT_FAILED)  # results that could not be written
    if once:  # the same exit status as `topup check`, for cron
        low = below_minimum(results, {a.name: a for a in cfg.accounts})
        raise typer.Exit(exit_status(results, low))


async def _main(watcher: Watcher, once: bool) -> list[CheckResult]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    if once:
        return await watcher.check_now()
    await watcher.run(stop)
    return []
