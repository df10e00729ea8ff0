"""What every command shares: exit statuses, the --config option, config errors, redaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from topup.account import Account
from topup.errors import ConfigError
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

err_console = Console(stderr=True)


def fail_config(exc: ConfigError) -> NoReturn:
    err_console.print(f"[bold red]topup: config error:[/] {exc.describe()}", highlight=False)
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
