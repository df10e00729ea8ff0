"""`topup serve`: the watcher and the dashboard/REST API/metrics in one process."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
from rich.markup import escape

from topup.cli.app import app
from topup.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    IntervalOption,
    err_console,
    fail_config,
    load_config,
    prefixed,
    start_service,
)
from topup.errors import ConfigError
from topup.i18n import N_, gettext
from topup.settings import TOKEN_ENV

_ = gettext


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command(
    help=N_(
        "Run the watcher and the web dashboard, REST API and /metrics.\n\n"
        "Bound to anything but loopback it needs an access token (\\[serve] token or "
        "$TOPUP_SERVE_TOKEN); every request must then carry it. A history database that is "
        "down at start is waited for, as `topup watch` does."
    )
)
def serve(
    config: ConfigOption = None,
    db: DbOption = None,
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help=N_("Address to bind."))
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", help=N_("Port to bind."), min=0, max=65535)
    ] = 8000,
    interval: IntervalOption = None,
) -> None:
    from topup.service import ServeError, serve_web, watch_options

    try:
        cfg = load_config(config)
        options = watch_options(cfg, interval)
        token = cfg.settings.serve.access_token()
    except ConfigError as exc:
        fail_config(exc)
    if not is_loopback(host) and not token:
        refusal = _("topup: refusing to serve on {host} without an access token.").format(host=host)
        advice = _("Set [serve] token in the config or ${variable}, or bind 127.0.0.1.").format(
            variable=TOKEN_ENV
        )
        err_console.print(f"[red]{escape(refusal)}[/] {escape(advice)}")
        raise typer.Exit(EXIT_USAGE)
    service = start_service(cfg, db, options)
    try:
        serve_web(service, host=host, port=port, token=token)
    except ServeError as exc:
        err_console.print("[red]" + escape(prefixed(str(exc))) + "[/]")
        raise typer.Exit(EXIT_FAILED) from None
