"""`topup db prune`: drop old per-poll checks, keep every change (history stays exact)."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url

from topup import config as config_module
from topup.cli.app import app
from topup.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    ConfigOption,
    DbOption,
    err_console,
    fail_config,
    labelled,
    prefixed,
    store_url,
)
from topup.durations import parse_duration
from topup.errors import ConfigError
from topup.i18n import N_, gettext, ngettext
from topup.serialize import json_value
from topup.settings import StorageSettings
from topup.storage import StorageError, StorageUnavailable, Store, default_path
from topup.storage.prune import prune, vacuum

_ = gettext

db_app = typer.Typer(
    name="db",
    help=N_("The history database: prune old checks."),
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def _storage(config: Path | None, db: str | None, keep: str | None) -> StorageSettings:
    """The config's [storage]; a config that does not load is only ignored when --db and
    --keep say everything it would (and it was not named with --config)."""
    try:
        return config_module.load(config).settings.storage
    except ConfigError as exc:
        if config is not None or db is None or keep is None:
            fail_config(exc)
        return StorageSettings()


def _keep(keep: str | None, storage: StorageSettings) -> float:
    if keep is None:
        if storage.keep is None:
            err_console.print(
                escape(
                    prefixed(
                        _(
                            "how long to keep? pass --keep (e.g. --keep 90d) "
                            'or set keep = "90d" in the [storage] table of the config'
                        )
                    )
                ),
                highlight=False,
            )
            raise typer.Exit(EXIT_USAGE)
        return storage.keep
    seconds = parse_duration(keep)
    if seconds is None or seconds <= 0:
        err_console.print(
            escape(
                prefixed(
                    _("--keep {value} is not a positive duration (e.g. 90d, 12h)").format(
                        value=repr(keep)
                    )
                )
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    return seconds


def _sqlite_file(url: str | None) -> Path | None:
    if url is None:
        return default_path()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _file_bytes(path: Path | None) -> int | None:
    if path is None or not path.exists():
        return None
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


@db_app.command(
    "prune",
    help=N_(
        "Delete checks older than --keep that repeat their neighbours.\n\n"
        "Kept: every balance point, every check that starts or ends a run of the same status "
        "and values (so every change, since when a value held, each failure run's first and "
        "last failure), and each account's latest check. Burn rate, changes and spend per day "
        "are unchanged. Exit status: 0 done; 1 database unreachable; 2 usage or config error."
    ),
)
def prune_command(
    keep: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION",
            help=N_("Keep every check younger than this (90d, 12h); default: \\[storage] keep."),
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Count what would go; delete nothing."))
    ] = False,
    vacuum_file: Annotated[
        bool,
        typer.Option(
            "--vacuum",
            help=N_("Then give the space back (SQLite: rewrites the file; PostgreSQL: VACUUM)."),
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print the counts as JSON."))] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    storage = _storage(config, db, keep)
    seconds = _keep(keep, storage)
    url = store_url(db, storage)
    path = _sqlite_file(url)
    if path is not None and not path.exists():  # pruning never creates a database
        err_console.print(
            escape(
                prefixed(
                    _("no history database at {path} (pass --db or set [storage] url)").format(
                        path=path
                    )
                )
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    size_before = _file_bytes(path)
    try:
        with Store.open(url) as store:
            summary = prune(store, timedelta(seconds=seconds), dry_run=dry_run)
            if vacuum_file and not dry_run:
                vacuum(store)
    except StorageUnavailable as exc:
        err_console.print(labelled(_("topup: history database unreachable:"), str(exc), "red"))
        raise typer.Exit(EXIT_FAILED) from None
    except StorageError as exc:
        err_console.print(labelled(_("topup: history database error:"), str(exc), "red"))
        raise typer.Exit(EXIT_FAILED) from None
    size_after = _file_bytes(path)
    if as_json:
        document = {
            "keep_seconds": seconds,
            "cutoff": json_value(summary.cutoff),
            "dry_run": summary.dry_run,
            "accounts": summary.accounts,
            "examined": summary.examined,
            "removed": summary.removed,
            "kept": summary.kept,
            "vacuumed": vacuum_file and not dry_run,
            "bytes_before": size_before,
            "bytes_after": size_after,
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    out = Console(highlight=False)
    accounts = ngettext("{n} account", "{n} accounts", summary.accounts)
    if dry_run:
        said = ngettext(
            "Would remove {removed} of {examined} check older than {cutoff} UTC ({accounts}); "
            "kept {kept}: changes, the first and last check of each run, latest checks. "
            "Balance points are all kept.",
            "Would remove {removed} of {examined} checks older than {cutoff} UTC ({accounts}); "
            "kept {kept}: changes, the first and last check of each run, latest checks. "
            "Balance points are all kept.",
            summary.examined,
        )
    else:
        said = ngettext(
            "Removed {removed} of {examined} check older than {cutoff} UTC ({accounts}); "
            "kept {kept}: changes, the first and last check of each run, latest checks. "
            "Balance points are all kept.",
            "Removed {removed} of {examined} checks older than {cutoff} UTC ({accounts}); "
            "kept {kept}: changes, the first and last check of each run, latest checks. "
            "Balance points are all kept.",
            summary.examined,
        )
    out.print(
        escape(
            said.format(
                removed=f"{summary.removed:,}",
                examined=f"{summary.examined:,}",
                cutoff=f"{summary.cutoff:%Y-%m-%d %H:%M}",
                accounts=accounts.format(n=f"{summary.accounts:,}"),
                kept=f"{summary.kept:,}",
            )
        )
    )
    if path is not None and size_before is not None and size_after is not None:
        if vacuum_file and not dry_run:
            out.print(
                _("File: {before} → {after} bytes.").format(
                    before=f"{size_before:,}", after=f"{size_after:,}"
                )
            )
        elif summary.removed and not dry_run:
            out.print(
                escape(
                    _(
                        "The SQLite file keeps its size (freed pages are reused); "
                        "`topup db prune --vacuum` gives the space back."
                    )
                )
            )
