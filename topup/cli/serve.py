"""`topup serve`: the watcher and the dashboard/REST API/metrics in one process."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
from collections.abc import Callable, Iterator
from typing import Annotated

import typer
from rich.markup import escape

from topup import config as config_module
from topup.cli.app import app
from topup.cli.common import (
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    err_console,
    fail_config,
    install_log_redaction,
    store_url,
)
from topup.cli.watch import alert_manager, setup_logging, watch_options
from topup.config import Config, resolve_secret
from topup.errors import ConfigError
from topup.storage import PendingWrites, StorageError, Store
from topup.watch import Watcher, WatchOptions
from topup.watch.watcher import AlertSink

TOKEN_ENV = "TOPUP_SERVE_TOKEN"  # noqa: S105 - the variable's name, not a token
log = logging.getLogger("topup.serve")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def access_token(cfg: Config) -> str | None:
    """From `$TOPUP_SERVE_TOKEN`, else `[serve] token` (a literal, env:NAME or file:PATH)."""
    env_value = os.environ.get(TOKEN_ENV)
    if env_value:
        return env_value.strip()
    raw = cfg.section("serve").get("token")
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError("[serve] token must be a non-empty string", path=cfg.path)
    return resolve_secret(raw, "token", path=cfg.path).reveal()


@app.command()
def serve(
    config: ConfigOption = None,
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.", min=0, max=65535)] = 8000,
    interval: Annotated[
        str | None, typer.Option(help="Default interval between checks, e.g. 15m.")
    ] = None,
) -> None:
    """Run the watcher and the web dashboard, REST API and /metrics.

    Bound to anything but loopback it needs an access token (\\[serve] token or
    $TOPUP_SERVE_TOKEN); every request must then carry it.
    """
    try:
        cfg = config_module.load(config)
        options = watch_options(cfg, interval)
        token = access_token(cfg)
    except ConfigError as exc:
        fail_config(exc)
    if not is_loopback(host) and not token:
        err_console.print(
            f"[red]topup: refusing to serve on {host} without an access token.[/] "
            f"Set \\[serve] token in the config or ${TOKEN_ENV}, or bind 127.0.0.1."
        )
        raise typer.Exit(EXIT_USAGE)
    setup_logging()
    install_log_redaction(cfg.accounts)
    try:
        store = Store.open(store_url(db, cfg.section("storage")))
    except StorageError as exc:
        err_console.print(f"[red]topup: history database error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    try:
        alerts = alert_manager(cfg, store)
    except ConfigError as exc:
        fail_config(exc)
    try:
        run_service(cfg, store, host=host, port=port, token=token, options=options, alerts=alerts)
    except ServeError as exc:
        err_console.print(f"[red]topup: {escape(str(exc))}[/]")
        raise typer.Exit(1) from None


class ServeError(Exception):
    """The web server could not start."""


def _log_warm_failure(task: asyncio.Task[object]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not prepare the dashboard: %s", task.exception())


def run_service(
    cfg: Config,
    store: Store,
    *,
    host: str,
    port: int,
    token: str | None,
    options: WatchOptions,
    alerts: AlertSink | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM; then stop the watcher after its in-flight checks."""
    import uvicorn  # imported here: every command module loads when `topup` starts

    from topup.web import create_app

    watcher = Watcher(cfg.select([]), PendingWrites(store), options=options, alerts=alerts)
    web = create_app(
        store=store, accounts=watcher.accounts, check_now=watcher.check_now, token=token
    )

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

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
                loop.add_signal_handler(sig, shutdown)
        watching = asyncio.create_task(watcher.run(stop))

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
        if server.started:
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
        store.close()
