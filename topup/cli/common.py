"""What the commands share: exit statuses, options, config errors, logging, results, the service.

Command modules import from here (and from :mod:`topup.cli.app`, :mod:`topup.cli.render`), never
from each other.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from topup.display import money
from topup.durations import parse_duration
from topup.errors import ConfigError
from topup.i18n import N_, gettext, ngettext
from topup.model import CheckResult, Status, utcnow
from topup.secrets import Scrubber, Secret
from topup.settings import StorageSettings, database_url

if TYPE_CHECKING:  # the service, storage and watcher load only for the commands that use them
    from topup.account import Account
    from topup.config import Config
    from topup.runner import RunOptions
    from topup.service import Service
    from topup.watch import WatchOptions

_ = gettext

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOW = 3

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help=N_("Config file (default: $TOPUP_CONFIG, else the user config dir)."),
        dir_okay=False,
    ),
]

err_console = Console(stderr=True, soft_wrap=True)  # one line per message: greppable logs


def prefixed(message: str) -> str:
    """``topup: message`` with the colon the reader's language uses (``topup：`` in Chinese)."""
    return _("topup: {message}").format(message=message)


def labelled(label: str, text: str, style: str = "bold red") -> str:
    """``label text`` as Rich markup, the label in ``style``: no space after a label that ends
    with a full-width colon (``topup：配置错误：…``), one after an ASCII colon."""
    gap = "" if label.endswith("：") else " "
    return f"[{style}]{escape(label)}[/]{gap}{escape(text)}"


def fail_config(exc: ConfigError, *, after: str | None = None) -> NoReturn:
    """Say what is wrong with the config (located) and exit 2; ``after``: what was therefore
    not done (default: nothing was checked)."""
    err_console.print(labelled(_("topup: config error:"), exc.describe()), highlight=False)
    shown = _("Nothing was checked.") if after is None else after
    err_console.print(escape(shown), style="dim", highlight=False)
    raise typer.Exit(EXIT_USAGE)


class RedactingFilter(logging.Filter):
    """Masks every known credential in log records, whatever logged them: one scan per record
    over all accounts' secrets at once (:class:`~topup.secrets.Scrubber`), so a watch round's
    log costs the same per line at 10 accounts or 10,000."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        super().__init__()
        self.scrubber = Scrubber(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.scrubber.scrub(message)
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
        help=N_(
            "History database: a SQLAlchemy URL or a SQLite file path "
            "(default: \\[storage] url, else topup.db in the user data dir)."
        ),
    ),
]


def store_url(db: str | None, storage: StorageSettings) -> str | None:
    """The history database URL: --db, then [storage] url, then None (the default file)."""
    if db:
        return database_url(db)
    return storage.url


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
        raise typer.BadParameter(
            _("{value} is neither a duration (30d, 12h) nor a date").format(value=repr(value))
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def below_minimum(results: list[CheckResult], accounts: dict[str, Account]) -> dict[str, str]:
    """A note for each account whose balance is below its ``min_balance``."""
    notes: dict[str, str] = {}
    for result in results:
        account = accounts[result.account]
        if (
            account.min_balance is not None
            and result.balance is not None
            and result.balance < account.min_balance
        ):
            notes[result.account] = _("below min_balance {amount}").format(
                amount=money(account.min_balance, result.currency)
            )
    return notes


def exit_status(results: list[CheckResult], notes: dict[str, str]) -> int:
    """0 all ok; 1 an account could not be checked; 3 one is low, exhausted or disabled."""
    if any(not r.status.checked for r in results):
        return EXIT_FAILED
    if notes or any(r.status in (Status.EXHAUSTED, Status.DISABLED) for r in results):
        return EXIT_LOW
    return EXIT_OK


def check_accounts(
    accounts: tuple[Account, ...], options: RunOptions, *, progress: bool = False
) -> list[CheckResult]:
    """Check the accounts now, with a spinner on a terminal when ``progress``."""
    from topup.runner import run

    if progress and sys.stderr.isatty():
        n = len(accounts)
        status = ngettext("Checking {n} account…", "Checking {n} accounts…", n).format(n=n)
        with Console(stderr=True).status(status):
            return run(accounts, options)
    return run(accounts, options)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def setup_logging() -> None:
    """Log lines (one per check) to stderr at INFO, for `topup watch` and `topup serve`."""
    root = logging.getLogger()
    if not any(isinstance(h, StderrHandler) for h in root.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root.handlers = [handler]
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def start_service(cfg: Config, db: str | None, options: WatchOptions) -> Service:
    """The service of `topup watch` and `topup serve`; exits 1 on a history database error
    (a database that is only down is waited for) and 2 on a bad alerts table."""
    from topup.service import History, build
    from topup.storage import StorageError

    setup_logging()
    install_log_redaction(cfg.accounts)
    try:
        history = History.open(store_url(db, cfg.settings.storage))
    except StorageError as exc:
        err_console.print(labelled(_("topup: history database error:"), str(exc), "red"))
        raise typer.Exit(EXIT_FAILED) from None
    try:
        return build(cfg, history, options)
    except ConfigError as exc:
        history.close()
        fail_config(exc)


def interval_option(value: str | None) -> str | None:
    """``--interval``: a positive duration (``15m``, ``90s``), checked as a usage error."""
    if value is not None:
        seconds = parse_duration(value)
        if seconds is None or seconds <= 0:
            raise typer.BadParameter(
                _("{value} is not a positive duration (e.g. 15m, 90s, 2h)").format(
                    value=repr(value)
                )
            )
    return value


IntervalOption = Annotated[
    str | None,
    typer.Option(
        metavar="DURATION",
        callback=interval_option,
        help=N_("Default interval between checks, e.g. 15m, 90s."),
    ),
]


def load_config(explicit: Path | None, *, accounts_needed: bool = True) -> Config:
    """The config; a missing file, or one without any ``[[accounts]]`` when ``accounts_needed``,
    is a :class:`ConfigError` that says where and points at `topup init`."""
    from topup import config as config_module

    path = config_module.locate(explicit)
    if not path.exists() and not path.is_symlink():
        raise ConfigError(
            _("config file not found"),
            path=path,
            hint=_("run `topup init` to write one, or pass --config PATH"),
        )
    cfg = config_module.load(explicit)
    if accounts_needed:
        require_accounts(cfg)
    return cfg


def require_accounts(cfg: Config) -> None:
    """A :class:`ConfigError` saying how to add an account when ``cfg`` has none."""
    if not cfg.accounts:
        raise ConfigError(
            _("the config has no accounts"),
            path=cfg.path,
            hint=_(
                "add an [[accounts]] table to it; `topup init --provider NAME --force-stdout` "
                "prints one to copy, and `topup providers` lists the names"
            ),
        )
