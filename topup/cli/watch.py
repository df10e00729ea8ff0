"""`topup watch`: check every account on its interval, record history, send alerts."""

from __future__ import annotations

from typing import Annotated

import typer

from topup.cli.app import app
from topup.cli.common import (
    EXIT_FAILED,
    ConfigOption,
    DbOption,
    IntervalOption,
    below_minimum,
    exit_status,
    fail_config,
    load_config,
    start_service,
)
from topup.errors import ConfigError
from topup.i18n import N_


@app.command(
    help=N_(
        "Check every account on its interval, keep history, and send alerts.\n\n"
        "Logs one line per check. Stops cleanly on Ctrl-C or SIGTERM after in-flight checks."
    )
)
def watch(
    config: ConfigOption = None,
    db: DbOption = None,
    interval: IntervalOption = None,
    once: Annotated[
        bool, typer.Option("--once", help=N_("Check every account once, then exit."))
    ] = False,
) -> None:
    from topup.service import run_watch, watch_options

    try:
        cfg = load_config(config)
        options = watch_options(cfg, interval)
    except ConfigError as exc:
        fail_config(exc)
    service = start_service(cfg, db, options)
    try:
        results = run_watch(service, once=once)
    finally:
        service.history.close()
    if service.pending.pending:
        raise typer.Exit(EXIT_FAILED)  # results that could not be written
    if once:  # the same exit status as `topup check`, for cron
        low = below_minimum(results, {a.name: a for a in cfg.accounts})
        raise typer.Exit(exit_status(results, low))
