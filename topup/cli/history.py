"""`topup history NAME` and `topup export`: what the watcher recorded."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import make_url

from topup import config as config_module
from topup.cli.app import app
from topup.cli.common import (
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    err_console,
    since_option,
    store_url,
)
from topup.display import money
from topup.errors import ConfigError
from topup.model import AMOUNT_FIELDS
from topup.serialize import csv_cell, json_value, result_dict, results_csv
from topup.settings import StorageSettings
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
    storage = StorageSettings()
    try:
        storage = config_module.load(config).settings.storage
    except ConfigError:
        if db is None and config is not None:
            raise
    url = store_url(db, storage)
    path = default_path() if url is None else sqlite_path(url)
    if path is not None and not path.exists():  # reading history never creates a database
        err_console.print(
            f"topup: no history database at {escape(str(path))} "
            "(run `topup watch` first, or pass --db / set \\[storage] url)"
        )
        raise typer.Exit(EXIT_USAGE)
    try:
        return Store.open(url)
    except StorageError as exc:
        err_console.print(f"[red]topup: history database error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None


@app.command()
def history(
    name: Annotated[str, typer.Argument(help="Account name.")],
    since: Annotated[str | None, typer.Option(help="How far back: 30d, 12h or a date.")] = "30d",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print as CSV.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """One account's recorded balances, spend per day and runway."""
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv")
    start = since_option(since)
    store = open_store(config, db)
    with store:
        points = store.balance_history(name, start)
        checks = store.check_history(name, start)
        burn = burn_of(store, name)
    if not points and not checks:
        err_console.print(f"topup: no history for account {escape(repr(name))}")
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
    grid = Table(header_style="bold")
    for column in ("Time (UTC)", "Balance", "Used"):
        grid.add_column(column, justify="right" if column != "Time (UTC)" else "left")
    for p in points:
        balance = "unlimited" if p.unlimited else money(p.balance, p.currency)
        grid.add_row(f"{p.at:%Y-%m-%d %H:%M}", balance, money(p.used, p.currency))
    console.print(grid)
    failures = sum(1 for c in checks if not c.status.checked)
    console.print(f"{len(checks)} checks, {failures} failed")
    if burn.spend_per_day is not None:
        console.print(f"Spend: {money(burn.spend_per_day, burn.currency)} per day")
    if burn.runway_days is not None:
        out_at = f" (runs out {burn.runs_out_at:%Y-%m-%d})" if burn.runs_out_at else ""
        console.print(f"Runway: {burn.runway_days:.1f} days{out_at}")


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    since: Annotated[str | None, typer.Option(help="How far back: 30d, 12h or a date.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Write every recorded check (with its amounts) as CSV or JSON lines."""
    if fmt not in ("csv", "json"):
        raise typer.BadParameter("--format is csv or json")
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
