"""`topup status`: one line for a shell prompt, tmux or an editor's status line, from history.

It reads the history database and the config only (no network, no HTTP client, no migration).
The line is a template (``--format``) whose placeholders :data:`HELP` lists; accounts that need
attention come first. The placeholders' values and the templates' checking and rendering are
:mod:`topup.cli.status_line`. A run started by the ``topup`` command keeps the line it printed
for a minute (:mod:`topup.entry` answers the next identical run with it, before this module
loads); ``--fresh`` and ``--no-cache`` neither read nor keep it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from topup import entry
from topup.cli.app import app
from topup.cli.common import ConfigOption, DbOption, prefixed
from topup.cli.status_line import (
    DEFAULT_EACH,
    EACH_NAMES,
    KEYED,
    Text,
    check_template,
    fields_names,
    render,
)
from topup.i18n import N_, _
from topup.settings import database_url
from topup.status import (
    EXIT_FAILED,
    EXIT_USAGE,
    SetupError,
    config_path,
    read,
    read_setup,
)

HELP = N_(
    "One line from history (no network) for shell prompts, tmux and status lines."
    "\n\n"
    "Accounts that need attention (failing, exhausted, low, short runway, quota window nearly "
    "used, stale) come first. Exit status: 0 fine, 1 an account is failing, 3 one needs money "
    "(exhausted, disabled, low or runs out within 7 days), 2 no history yet or a usage error."
    "\n\n"
    "--format placeholders: {mark} (⚠ or ✓), {attention} (who needs attention and why, at most "
    "3 accounts then +N more), {needing}, {ok} and {count} (how many accounts), {totals} "
    "(every currency's total), {total[CNY]} (one currency's), {accounts} (every account, "
    "written by --each), {balance[NAME]}, {runway[NAME]}, {status[NAME]} (one account's "
    "status value: ok, exhausted, unreachable..., never when not checked yet), "
    "{reasons[NAME]} (why it needs attention, in words). --each placeholders: {name}, "
    "{balance}, {runway}, {status}, {reasons}, {mark}. Python format specs and conversions "
    "work: {ok:>3}, {balance[NAME]!r}."
    "\n\n"
    "Examples: topup status --format '{total[USD]}' and "
    "topup status --format '{mark} {accounts}' --each '{name}:{balance}'"
)


def _fail(message: str, code: int) -> typer.Exit:
    sys.stderr.write(prefixed(message) + "\n")
    return typer.Exit(code)


def status(
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help=N_("The line, as a template (placeholders above).")),
    ] = None,
    each: Annotated[
        str | None,
        typer.Option(
            "--each", help=N_("How {accounts} writes each account (default: {name} {balance}).")
        ),
    ] = None,
    plain: Annotated[
        bool, typer.Option("--plain", help=N_("No symbols or colour: ASCII for any terminal."))
    ] = False,
    runway_days: Annotated[
        bool,
        typer.Option("--runway/--no-runway", help=N_("Estimate runways (a week of history).")),
    ] = True,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help=N_("Read the week of history now (else spend is reused for 10 min).")
        ),
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help=N_("Read history now, not the line kept for a minute (--fresh does too)."),
        ),
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    try:
        used = check_template(fmt, {n.split("[")[0] for n in fields_names()}, KEYED)
        check_template(each, EACH_NAMES, {})
        if each is not None and "accounts" not in used:
            raise typer.BadParameter(
                _(
                    "--each writes {{accounts}}, which --format does not use: add it, e.g. "
                    "--format '{{mark}} {{accounts}}'"
                ).format()  # the doubled braces are the template's: formatted once, shown single
            )
    except typer.BadParameter as exc:
        raise _fail(exc.message, EXIT_USAGE) from None
    started = time.time()
    kept = None if fresh or no_cache else entry.pending  # set when the cache was asked, missed
    files = [entry.stamp(config_path(config))] if kept is not None else []
    try:
        setup = read_setup(config)
    except SetupError as exc:
        raise _fail(
            _("config error: {problem} (`topup config check` says more)").format(problem=exc),
            EXIT_USAGE,
        ) from None
    from topup.storage import StorageError, Store, default_path, sqlite_url

    url = database_url(db) if db else setup.storage_url or sqlite_url(default_path())
    path = _sqlite_file(url)
    if path is not None and not path.exists():  # reading history never creates a database
        raise _fail(
            _("no history yet at {path}: `topup watch` records it (or pass --db)").format(
                path=path
            ),
            EXIT_USAGE,
        )
    if kept is not None and path is not None:  # a PostgreSQL history is never kept
        files += [entry.stamp(path), entry.stamp(path.with_name(path.name + "-wal"))]
    try:
        with Store.open(url, migrate_schema=False) as store:
            overview = read(
                store, setup.accounts, runway=runway_days, cache=None if fresh else cache_file(url)
            )
    except StorageError as exc:
        raise _fail(_("history database error: {error}").format(error=exc), EXIT_FAILED) from None
    if not overview.recorded:
        raise _fail(_("no history yet: `topup watch` records every account's checks"), EXIT_USAGE)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = Text(plain, colour)
    try:
        line = render(overview, fmt, DEFAULT_EACH if each is None else each, text)
    except typer.BadParameter as exc:
        raise _fail(exc.message, EXIT_USAGE) from None
    sys.stdout.write(line + "\n")
    if kept is not None and path is not None:
        with contextlib.suppress(Exception):  # keeping the line never fails the command
            entry.keep(kept, files, started, line + "\n", overview.exit_code)
    raise typer.Exit(overview.exit_code)


status.__doc__ = HELP
app.command()(status)


def cache_file(url: str) -> Path:
    """Where the spend per day of the history at ``url`` is kept between runs (named by a hash
    of the URL, which may hold a password)."""
    import platformdirs

    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return platformdirs.user_cache_path("topup") / f"status-{digest}.json"


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)
