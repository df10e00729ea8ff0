"""What every command shares: exit statuses, the --config option, config errors, redaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from topup.account import Account
from topup.config import parse_duration
from topup.errors import ConfigError
from topup.model import utcnow
from topup.secrets import Secret, scrub

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOW = 3

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (default: $TOPUP_CONFIG, else the user config dir).",
        dir_okay=False,
    ),
]

err_console = Console(stderr=True, soft_wrap=True)  # one line per message: greppable logs


def fail_config(exc: ConfigError) -> NoReturn:
    err_console.print(
        f"[bold red]topup: config error:[/] {escape(exc.describe())}", highlight=False
    )
    err_console.print("Nothing was checked.", style="dim")
    raise typer.Exit(EXIT_USAGE)


class RedactingFilter(logging.Filter):
    """Masks every known credential in log records, whatever logged them."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction(accounts: Iterable[Account]) -> None:
    secrets = [s for a in accounts for s in a.secrets]
    redacting = RedactingFilter(secrets)
    root = logging.getLogger()
    for handler in root.handlers:
        handler.addFilter(redacting)
    root.addFilter(redacting)
    logging.getLogger("topup").addFilter(redacting)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="History database: a SQLAlchemy URL or a SQLite file path "
        "(default: \\[storage] url, else topup.db in the user data dir).",
    ),
]


def store_url(db: str | None, section: Mapping[str, Any]) -> str | None:
    """The history database URL: --db, then [storage] url, then None (the default file)."""
    value = db or section.get("url")
    if value is None:
        return None
    text = str(value)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def since_option(value: str | None) -> datetime | None:
    """``--since 30d`` / ``12h`` / an ISO date → an aware UTC datetime."""
    if value is None:
        return None
    seconds = parse_duration(value)
    if seconds is not None:
        return utcnow() - timedelta(seconds=seconds)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is neither a duration (30d, 12h) nor a date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
