"""`topup check`: every account's balance, once."""

from __future__ import annotations

import logging
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from topup.cli.app import app
from topup.cli.common import (
    ConfigOption,
    below_minimum,
    check_accounts,
    exit_status,
    fail_config,
    install_log_redaction,
    load_config,
    store_url,
)
from topup.cli.render import print_table
from topup.errors import ConfigError
from topup.i18n import N_, gettext

_ = gettext

if TYPE_CHECKING:
    from topup.account import Account
    from topup.config import Config
    from topup.model import CheckResult

log = logging.getLogger("topup.cli")


def history_runways(cfg: Config, accounts: tuple[Account, ...]) -> dict[str, Decimal]:
    """Runway in days per account, from `topup watch` history when there is any."""
    from topup.storage import default_path, sqlite_url

    url = store_url(None, cfg.settings.storage)
    if url is None:
        path = default_path()
        if not path.exists():
            return {}
        url = sqlite_url(path)
    try:
        from topup.storage import Store
        from topup.watch.trends import burn_of

        with Store.open(url, connect_timeout=3) as store:
            estimates = {a.name: burn_of(store, a.name) for a in accounts}
    except Exception as exc:  # runway is extra: never lose the balances over it
        log.warning("history unavailable, no runway shown: %s", type(exc).__name__)
        return {}
    return {n: e.runway_days for n, e in estimates.items() if e.runway_days is not None}


def with_runways(
    results: list[CheckResult], accounts: tuple[Account, ...], runways: dict[str, Decimal]
) -> list[CheckResult]:
    """Every result marked again with its account's runway from history, so the table, --json
    and --csv name the same reasons (the runner marks results without a runway)."""
    from topup.attention import marked

    by_name = {a.name: a for a in accounts}
    return [
        marked(by_name[r.account], r, runway_days=runways[r.account])
        if r.account in runways and r.account in by_name
        else r
        for r in results
    ]


@app.command(
    help=N_(
        "Check every account's balance now.\n\n"
        "Exit status: 0 all ok; 1 an account could not be checked; 2 usage or config error; "
        "3 all checked but one is below its min_balance, exhausted or disabled."
    )
)
def check(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME", help=N_("Accounts to check (default: all enabled).")),
    ] = None,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print results as JSON."))] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help=N_("Print results as CSV."))] = False,
    timeout: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", help=N_("Seconds one account's check may take."), min=0.1),
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(metavar="N", help=N_("Accounts checked at once."), min=1)
    ] = None,
    per_host: Annotated[
        int | None,
        typer.Option(metavar="N", help=N_("Accounts checked at once per platform host."), min=1),
    ] = None,
) -> None:
    from topup.model import utcnow
    from topup.serialize import results_csv, results_json

    if as_json and as_csv:
        raise typer.BadParameter(_("choose one of --json and --csv"))
    try:
        cfg = load_config(config)
        accounts = cfg.select(names or [])
    except ConfigError as exc:
        fail_config(exc)
    options = cfg.settings.check.run_options(
        timeout=timeout, concurrency=concurrency, per_host=per_host
    )
    install_log_redaction(cfg.accounts)
    results = check_accounts(accounts, options, progress=not (as_json or as_csv))
    runways = history_runways(cfg, accounts)
    results = with_runways(results, accounts, runways)
    notes = below_minimum(results, {a.name: a for a in accounts})
    if as_json:
        sys.stdout.write(results_json(results, utcnow()) + "\n")
    elif as_csv:
        sys.stdout.write(results_csv(results))
    else:
        excluded = {a.name for a in accounts if not a.totals}
        print_table(Console(), results, notes, runways=runways, excluded=excluded)
    raise typer.Exit(exit_status(results, notes))
