"""`topup check`: every account's balance, once."""

from __future__ import annotations

import logging
import sys
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console

from topup import config as config_module
from topup.account import Account
from topup.cli.app import app
from topup.cli.common import (
    EXIT_FAILED,
    EXIT_LOW,
    EXIT_OK,
    ConfigOption,
    fail_config,
    install_log_redaction,
    store_url,
)
from topup.cli.render import print_table
from topup.display import money
from topup.errors import ConfigError
from topup.model import CheckResult, Status, utcnow
from topup.runner import RunOptions, run
from topup.serialize import results_csv, results_json
from topup.storage import Store, default_path, sqlite_url
from topup.watch.trends import burn_of

log = logging.getLogger("topup.cli")


def run_options(config: config_module.Config, **overrides: float | int | None) -> RunOptions:
    """[check] settings from the config, then command-line overrides."""
    section = config.section("check")
    defaults = RunOptions()
    values: dict[str, float | int] = {}
    for key in ("timeout", "concurrency", "per_host", "retries"):
        value = overrides.get(key)
        if value is None:
            value = section.get(key)
        if value is None:
            continue
        if key == "timeout":
            seconds = config_module.parse_duration(value)
            if seconds is None or seconds <= 0:
                raise ConfigError("timeout must be a positive number of seconds", path=config.path)
            values[key] = seconds
        else:
            values[key] = int(value)
    if values.get("concurrency") and "per_host" not in values:
        values["per_host"] = min(int(values["concurrency"]), defaults.per_host)
    return RunOptions(**values)  # type: ignore[arg-type]


def below_minimum(results: list[CheckResult], accounts: dict[str, Account]) -> dict[str, str]:
    notes: dict[str, str] = {}
    for result in results:
        account = accounts[result.account]
        if (
            account.min_balance is not None
            and result.balance is not None
            and result.balance < account.min_balance
        ):
            notes[result.account] = (
                f"below min_balance {money(account.min_balance, result.currency)}"
            )
    return notes


def history_runways(cfg: config_module.Config, accounts: tuple[Account, ...]) -> dict[str, Decimal]:
    """Runway in days per account, from `topup watch` history when there is any."""
    url = store_url(None, cfg.section("storage"))
    if url is None:
        path = default_path()
        if not path.exists():
            return {}
        url = sqlite_url(path)
    try:
        with Store.open(url, connect_timeout=3) as store:
            estimates = {a.name: burn_of(store, a.name) for a in accounts}
    except Exception as exc:  # runway is extra: never lose the balances over it
        log.warning("history unavailable, no runway shown: %s", type(exc).__name__)
        return {}
    return {n: e.runway_days for n, e in estimates.items() if e.runway_days is not None}


def exit_status(results: list[CheckResult], notes: dict[str, str]) -> int:
    if any(not r.status.checked for r in results):
        return EXIT_FAILED
    if notes or any(r.status in (Status.EXHAUSTED, Status.DISABLED) for r in results):
        return EXIT_LOW
    return EXIT_OK


@app.command()
def check(
    names: Annotated[
        list[str] | None, typer.Argument(help="Accounts to check (default: all enabled).")
    ] = None,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print results as CSV.")] = False,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds one account's check may take.", min=0.1)
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(help="Accounts checked at once.", min=1)
    ] = None,
    per_host: Annotated[
        int | None, typer.Option(help="Accounts checked at once per platform host.", min=1)
    ] = None,
) -> None:
    """Check every account's balance now.

    Exit status: 0 all ok; 1 an account could not be checked; 2 usage or config error;
    3 all checked but one is below its min_balance, exhausted or disabled.
    """
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv")
    try:
        cfg = config_module.load(config)
        accounts = cfg.select(names or [])
        options = run_options(cfg, timeout=timeout, concurrency=concurrency, per_host=per_host)
    except ConfigError as exc:
        fail_config(exc)
    install_log_redaction(cfg.accounts)
    results = check_accounts(accounts, options, progress=not (as_json or as_csv))
    notes = below_minimum(results, {a.name: a for a in accounts})
    if as_json:
        sys.stdout.write(results_json(results, utcnow()) + "\n")
    elif as_csv:
        sys.stdout.write(results_csv(results))
    else:
        print_table(Console(), results, notes, runways=history_runways(cfg, accounts))
    raise typer.Exit(exit_status(results, notes))


def check_accounts(
    accounts: tuple[Account, ...], options: RunOptions, *, progress: bool = False
) -> list[CheckResult]:
    if progress and sys.stderr.isatty():
        with Console(stderr=True).status(f"Checking {len(accounts)} accounts…"):
            return run(accounts, options)
    return run(accounts, options)
