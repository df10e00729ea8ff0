"""`topup keys check`: thousands of keys from a file (or stdin), one ordered row per key."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, aclosing, contextmanager, nullcontext
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich import box
from rich.console import Console, JustifyMethod, RenderableType
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from topup import config as config_module
from topup.attention import status_label
from topup.cli.app import app
from topup.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    RedactingFilter,
    err_console,
    exit_status,
    fail_config,
    labelled,
)
from topup.cli.render import STATUS_STYLE, balance_text, totals
from topup.config_lines import suggest
from topup.display import money
from topup.errors import ConfigError
from topup.i18n import N_, gettext, ngettext
from topup.keys.accounts import Defaults
from topup.keys.detect import key_field, needs_more
from topup.keys.reading import KeyFile, count_lines, open_keys
from topup.keys.rows import CsvRows, JsonRows, KeyRow, RowWriter
from topup.keys.run import InFlight, check_lines
from topup.model import CheckResult, Status
from topup.platforms import all_providers, get_provider
from topup.runner import RunOptions
from topup.settings import Settings

_ = gettext

keys_app = typer.Typer(
    name="keys",
    help=N_("Check many API keys at once (relay operators, resellers)."),
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(keys_app, name="keys")

#: Summary buckets: auth_error is an invalid key; every other failure is "failed".
BUCKETS = {Status.OK: "ok", Status.EXHAUSTED: "exhausted", Status.AUTH_ERROR: "invalid"}
#: How the summary names each bucket (translated where shown).
BUCKET_LABELS = {
    "ok": N_("{n} ok"),
    "exhausted": N_("{n} exhausted"),
    "invalid": N_("{n} invalid"),
    "failed": N_("{n} failed"),
}
#: Rows per table printed at once when stdout is not a terminal (a terminal gets every row).
CHUNK = 200


class Tally:
    """Counts, totals per currency and the exit status, kept as rows pass (memory flat)."""

    def __init__(self) -> None:
        self.keys = 0
        self.counts: Counter[str] = Counter()
        self.sums: dict[str, Decimal] = {}
        #: One result per status seen: enough for :func:`exit_status`.
        self.seen: dict[Status, CheckResult] = {}

    def add(self, result: CheckResult) -> None:
        self.keys += 1
        self.counts[BUCKETS.get(result.status, "failed")] += 1
        for currency, total in totals([result]).items():
            self.sums[currency] = self.sums.get(currency, Decimal(0)) + total
        self.seen.setdefault(result.status, result)

    def line(self) -> str:
        counts = " · ".join(
            _(BUCKET_LABELS[b]).format(n=f"{self.counts[b]:,}")
            for b in (*BUCKETS.values(), "failed")
        )
        return ngettext("{n} key: {counts}", "{n} keys: {counts}", self.keys).format(
            n=f"{self.keys:,}", counts=counts
        )

    def exit_status(self) -> int:
        return exit_status(list(self.seen.values()), {})

    def print(self, console: Console) -> None:
        console.print(Text(self.line(), style="bold"), highlight=False)
        for currency, total in sorted(self.sums.items()):
            console.print(
                _("Total: {amount}").format(amount=money(total, currency)), highlight=False
            )
        if self.counts["failed"] and Status.CONFIG_ERROR in self.seen:
            console.print(
                _(
                    "config_error: a line that could not be checked as written (its message says "
                    "why; pass --provider for ambiguous keys)"
                ),
                style="dim",
                highlight=False,
            )


#: The table's columns: (title, width, justify, style, shown from this terminal width on).
#: Fixed widths, so that the pieces printed as rows come line up as one table. Titles are
#: translated where shown.
COLUMNS: tuple[tuple[str, int, JustifyMethod, str, int], ...] = (
    (N_("Line"), 6, "right", "", 0),
    (N_("Name"), 14, "left", "", 0),
    (N_("Key"), 11, "left", "", 0),
    (N_("Fingerprint"), 16, "left", "dim", 150),
    (N_("Provider"), 11, "left", "dim", 0),
    (N_("Status"), 12, "left", "", 0),
    (N_("Balance"), 14, "right", "", 0),
    (N_("Used"), 12, "right", "dim", 120),
)
#: From this width on messages have a column; below it they follow each piece of the table.
MESSAGE_COLUMN = 120


class TableRows:
    """The rows as a table, printed in pieces with fixed column widths, so it streams."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.columns = [c for c in COLUMNS if console.width >= c[4]]
        self.messages = console.width >= MESSAGE_COLUMN
        self.pending: list[KeyRow] = []
        self.header = True
        self.every = 1 if console.is_terminal else CHUNK

    def write(self, row: KeyRow) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.every:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        grid = Table(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            show_header=self.header,
            expand=self.messages,
            pad_edge=False,
        )
        for title, width, justify, style, _from in self.columns:
            grid.add_column(
                _(title),
                width=width,
                justify=justify,
                style=style,
                no_wrap=True,
                overflow="ellipsis",
            )
        if self.messages:
            grid.add_column(_("Message"), overflow="fold", ratio=1)
        for row in self.pending:
            cells = _cells(row)
            shown = [cells[c[0]] for c in self.columns]
            grid.add_row(*shown, *([row.message or ""] if self.messages else []))
        self.console.print(grid)
        if not self.messages:
            for row in self.pending:
                if row.message:
                    style = STATUS_STYLE[row.result.status] if not row.result.status.checked else ""
                    self.console.print(
                        Text.assemble(
                            ("  " + _("line {n}: ").format(n=row.line), "bold"),
                            (row.message, style),
                        )
                    )
        self.pending.clear()
        self.header = False

    def close(self) -> None:
        self.flush()


def _cells(row: KeyRow) -> dict[str, RenderableType]:
    r = row.result
    return {
        "Line": str(row.line),
        "Name": r.account,
        "Key": row.key,
        "Fingerprint": row.fingerprint,
        "Provider": r.provider,
        "Status": Text(status_label(r.status), style=STATUS_STYLE[r.status]),
        "Balance": balance_text(r) if r.status.checked else Text(""),
        "Used": money(r.used, r.currency) if r.used is not None else "",
    }


class InFlightRedaction(logging.Filter):
    """Masks the keys being checked at the moment of each log record (httpx logs URLs, and a
    platform that takes its key in the query puts it there)."""

    def __init__(self, live: InFlight) -> None:
        super().__init__()
        self.live = live

    def filter(self, record: logging.LogRecord) -> bool:
        return RedactingFilter(self.live.secrets()).filter(record)


@contextmanager
def redacted_logs(live: InFlight) -> Iterator[None]:
    """While checking: every log handler masks the keys in flight."""
    redacting = InFlightRedaction(live)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(redacting)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(redacting)


def _progress(total: int | None) -> tuple[AbstractContextManager[object], Progress | None]:
    """A progress bar on stderr when it is a terminal; nothing in pipes."""
    if not sys.stderr.isatty():
        return nullcontext(), None
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    return progress, progress


def _defaults(provider: str | None, base_url: str | None) -> Defaults:
    """--provider and --base-url checked once, before any key is read."""
    if provider is not None:
        platform = get_provider(provider)
        if platform is None:
            fail_config(
                ConfigError(
                    _("unknown provider {name}").format(name=repr(provider)),
                    hint=suggest(provider, all_providers()) or _("see `topup providers`"),
                )
            )
        if key_field(platform) is None:
            fail_config(ConfigError(needs_more(platform)))
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fail_config(
                ConfigError(
                    _("{option} must be an http(s) URL").format(option="--base-url"),
                    hint=_("e.g. {example}").format(example="https://relay.example.com"),
                )
            )
    return Defaults(provider=provider, base_url=base_url.rstrip("/") if base_url else None)


async def _run(
    keys: KeyFile,
    defaults: Defaults,
    options: RunOptions,
    writer: RowWriter,
    tally: Tally,
    progress: Progress | None,
    total: int | None,
) -> None:
    task = progress.add_task(_("checking keys"), total=total) if progress else None
    live = InFlight()
    with redacted_logs(live):
        async with aclosing(check_lines(keys, defaults, options, live=live)) as rows:
            async for row in rows:
                writer.write(row)
                tally.add(row.result)
                if progress is not None and task is not None:
                    progress.update(task, completed=row.line, description=tally.line())
    writer.close()


@keys_app.command(
    "check",
    help=N_(
        "Check every key of FILE (or stdin): one row per key, in the file's order.\n\n"
        "Exit status: 0 all ok; 1 a key could not be checked; 2 usage error; 3 all checked but "
        "one is exhausted or disabled."
    ),
)
def check_command(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|-",
            help=N_(
                "One key per line, or CSV with a header: key,provider,base_url,name. - is stdin."
            ),
        ),
    ],
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            metavar="NAME",
            help=N_("Platform of lines without a provider column (default: told from each key)."),
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", metavar="URL", help=N_("Base URL of lines without a base_url.")),
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help=N_("Print rows as CSV."))] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help=N_("Print rows as JSON Lines (one object per line).")),
    ] = False,
    concurrency: Annotated[
        int | None, typer.Option(metavar="N", help=N_("Keys checked at once."), min=1)
    ] = None,
    per_host: Annotated[
        int | None,
        typer.Option(metavar="N", help=N_("Keys checked at once per platform host."), min=1),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", help=N_("Seconds one key's check may take."), min=0.1),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help=N_(
                "Config file whose \\[check] table sets timeout, concurrency, per_host, "
                "retries (default: none; its accounts are not checked)."
            ),
            dir_okay=False,
        ),
    ] = None,
) -> None:
    if as_json and as_csv:
        raise typer.BadParameter(_("choose one of --json and --csv"))
    defaults = _defaults(provider, base_url)
    settings = Settings()
    try:
        if config is not None:
            settings = config_module.load(config).settings
        keys = open_keys(source)
    except ConfigError as exc:
        fail_config(exc)
    options = settings.check.run_options(
        timeout=timeout, concurrency=concurrency, per_host=per_host
    )
    out = Console(soft_wrap=False)
    writer: RowWriter = (
        CsvRows(sys.stdout) if as_csv else JsonRows(sys.stdout) if as_json else TableRows(out)
    )
    summary = Console(stderr=True) if as_csv or as_json else out
    tally = Tally()
    total = count_lines(source) if sys.stderr.isatty() else None
    shown, progress = _progress(total)
    try:
        with keys, shown:
            asyncio.run(_run(keys, defaults, options, writer, tally, progress, total))
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_FAILED) from None
    except ConfigError as exc:  # the key file could not be read to its end
        err_console.print(f"[bold red]topup:[/] {escape(exc.describe())}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as exc:
        err_console.print(labelled(_("topup: cannot write the rows:"), str(exc)))
        raise typer.Exit(EXIT_FAILED) from None
    tally.print(summary)
    raise typer.Exit(tally.exit_status())


__all__ = ["InFlightRedaction", "Tally", "check_command", "keys_app", "redacted_logs"]
