"""`topup history [NAME]` and `topup export`: what the watcher recorded.

Without a name, one row per account (its last good value and age, 24 h / 7 d change, spend per
day, runway, status; those needing attention first, as in `topup status`). With one, the
account's balance changes: runs of identical points are folded into their first (``--all``
shows every point). ``--json`` and ``--csv`` are the stable interface and list every point.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import make_url

from topup import config as config_module
from topup.account import Account
from topup.attention import label, status_label
from topup.cli.app import app
from topup.cli.common import (
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    err_console,
    labelled,
    since_option,
    store_url,
)
from topup.cli.history_points import failed_runs, print_failures, print_points
from topup.cli.render import balance_text
from topup.display import money
from topup.errors import ConfigError
from topup.i18n import N_, _, ngettext
from topup.model import AMOUNT_FIELDS, utcnow
from topup.serialize import csv_cell, json_value, result_dict, results_csv
from topup.settings import StorageSettings
from topup.status import Entry, read
from topup.storage import StorageError, Store, default_path
from topup.watch import burn_of

#: The columns of ``topup history --csv`` and the keys of its JSON points.
POINT_FIELDS = ("account", "at", *AMOUNT_FIELDS)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def open_store(config: Path | None, db: str | None) -> Store:
    return open_history(config, db)[0]


def open_history(config: Path | None, db: str | None) -> tuple[Store, tuple[Account, ...] | None]:
    """The store, and the config's enabled accounts (None: no config, or one that does not
    load while --db names the database)."""
    storage = StorageSettings()
    accounts: tuple[Account, ...] | None = None
    try:
        cfg = config_module.load(config)
        storage, accounts = cfg.settings.storage, cfg.select([]) or None
    except ConfigError:
        if db is None and config is not None:
            raise
    url = store_url(db, storage)
    path = default_path() if url is None else sqlite_path(url)
    if path is not None and not path.exists():  # reading history never creates a database
        err_console.print(
            escape(
                _(
                    "topup: no history database at {path} "
                    "(run `topup watch` first, or pass --db / set [storage] url)"
                ).format(path=path)
            )
        )
        raise typer.Exit(EXIT_USAGE)
    try:
        return Store.open(url), accounts
    except StorageError as exc:
        err_console.print(labelled(_("topup: history database error:"), str(exc), "red"))
        raise typer.Exit(1) from None


@app.command(
    help=N_(
        "Every account at a glance, or one account's recorded balances, spend per day and "
        "runway.\n\n"
        "Without NAME: one row per account (last good value and its age, 24 h and 7 d change, "
        "spend per day, runway, status), those needing attention first. With NAME: the changes "
        "of its balance, each with the number of checks that saw it (--all: every point)."
    )
)
def history(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", help=N_("Account name (none: every account, one row each).")
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help=N_("How far back: 30d, 12h or a date."))
    ] = "30d",
    show_all: Annotated[
        bool, typer.Option("--all", help=N_("Every recorded point, unchanged ones included."))
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print as JSON."))] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help=N_("Print as CSV."))] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    if as_json and as_csv:
        raise typer.BadParameter(_("choose one of --json and --csv"))
    start = since_option(since)  # a bad --since is a usage error, with or without a name
    if name is None:
        if as_json or as_csv:
            raise typer.BadParameter(_("--json and --csv need an account name"))
        overview(config, db)
        return
    store, accounts = open_history(config, db)
    with store:
        points = store.balance_history(name, start)
        checks = store.check_history(name, start)
        burn = burn_of(store, name)
        known = not (points or checks) and (
            any(a.name == name for a in accounts or ()) or store.check_history(name, None)
        )
    if not points and not checks:
        message = (
            _("topup: no history for account {name}")
            if known
            else _("topup: no account named {name}")
        )
        err_console.print(escape(message.format(name=repr(name))))
        raise typer.Exit(EXIT_USAGE)
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(POINT_FIELDS)
        writer.writerows([csv_cell(getattr(p, f)) for f in POINT_FIELDS] for p in points)
        return
    summary = {
        "account": name,
        "currency": burn.currency,
        "balance": json_value(burn.balance),
        "spend_per_day": json_value(burn.spend_per_day),
        "runway_days": json_value(burn.runway_days),
        "runs_out_at": json_value(burn.runs_out_at),
        "unlimited": burn.unlimited,
    }
    if as_json:
        document = {
            **summary,
            "points": [{f: json_value(getattr(p, f)) for f in POINT_FIELDS} for p in points],
            "checks": [
                {
                    "checked_at": json_value(c.checked_at),
                    "status": c.status.value,
                    "message": c.message,
                    "duration": c.duration,
                }
                for c in checks
            ],
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    console = Console()
    if points:
        print_points(console, points, checks, show_all)
    failure_runs = failed_runs(checks)
    if failure_runs:
        print_failures(console, failure_runs)
    failures = sum(1 for c in checks if not c.status.checked)
    console.print(
        ngettext(
            "{checks} check, {failed} failed", "{checks} checks, {failed} failed", len(checks)
        ).format(checks=len(checks), failed=failures),
        highlight=False,
    )
    if burn.spend_per_day is not None:
        console.print(
            _("Spend: {amount} per day").format(amount=money(burn.spend_per_day, burn.currency)),
            highlight=False,
        )
    if burn.runway_days is not None:
        out_at = (
            _(" (runs out {date})").format(date=f"{burn.runs_out_at:%Y-%m-%d}")
            if burn.runs_out_at
            else ""
        )
        console.print(
            _("Runway: {days} days{out_at}").format(days=f"{burn.runway_days:.1f}", out_at=out_at),
            highlight=False,
        )


def overview(config: Path | None, db: str | None) -> None:
    """One row per account, those needing attention first."""
    store, accounts = open_history(config, db)
    now = utcnow()
    with store:
        found = read(store, accounts, now=now)
    if not found.recorded:
        err_console.print(_("topup: no history yet: `topup watch` records every account's checks"))
        raise typer.Exit(EXIT_USAGE)
    grid = Table(header_style="bold")
    grid.add_column(_("Account"))
    for column in (
        _("Last good"),
        _("Age"),
        _("24 h"),
        _("7 d"),
        _("Spend/day"),
        _("Runway"),
    ):
        grid.add_column(column, justify="right")
    grid.add_column(_("Status"))
    for e in found.entries:
        t = e.trend
        currency = e.last_good.currency if e.last_good is not None else None
        grid.add_row(
            escape(e.name),
            last_good_text(e),
            "" if e.last_good_at is None else age_text(now - e.last_good_at),
            signed(None if t is None else t.change_24h, currency),
            signed(None if t is None else t.change_7d, currency),
            "" if t is None or t.spend_per_day is None else money(t.spend_per_day, currency),
            "" if e.runway_days is None else _("{days} d").format(days=f"{e.runway_days:.1f}"),
            status_text(e),
        )
    Console().print(grid)


def last_good_text(e: Entry) -> str:
    """The last good value as `topup check` shows a balance (every currency, else the quota
    windows)."""
    if e.last_good is None:
        return _("unknown")
    return balance_text(e.last_good).plain or _("unknown")


def signed(value: Decimal | None, currency: str | None) -> str:
    if value is None:
        return ""
    text = money(value, currency)
    return f"[red]{text}[/]" if value < 0 else ("+" + text if value > 0 else text)


def age_text(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return _("{n} s").format(n=seconds)
    if seconds < 7200:
        return _("{n} min").format(n=seconds // 60)
    if seconds < 172800:
        return _("{n} h").format(n=seconds // 3600)
    return _("{n} d").format(n=seconds // 86400)


def status_text(e: Entry) -> str:
    what = _("never checked") if e.status is None else status_label(e.status)
    if not e.attention.needed:
        return f"[green]{escape(what)}[/]"
    why = ", ".join(label(r) for r in e.attention.reasons)
    return f"[yellow]{escape(what)}[/] ({escape(why)})"


@app.command()
def export(
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="FORMAT", help=N_("Output format: csv or json.")),
    ] = "csv",
    since: Annotated[str | None, typer.Option(help=N_("How far back: 30d, 12h or a date."))] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Write every recorded check (with its amounts) as CSV or JSON lines."""
    if fmt not in ("csv", "json"):
        raise typer.BadParameter(_("--format is csv or json"))
    store = open_store(config, db)
    with store:
        rows = store.export(since_option(since))
        if fmt == "csv":
            first = True
            for result in rows:
                text = results_csv([result])
                sys.stdout.write(text if first else text.split("\n", 1)[1])
                first = False
            if first:
                sys.stdout.write(results_csv([]))
        else:
            for result in rows:
                sys.stdout.write(json.dumps(result_dict(result), ensure_ascii=False) + "\n")
