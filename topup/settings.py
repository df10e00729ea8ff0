"""The config's tables besides ``[[accounts]]``, parsed once into typed, frozen settings.

``[check]``, ``[watch]``, ``[storage]``, ``[serve]`` and ``[sandbox]`` are validated when the
config is loaded (:func:`topup.config.load`), each problem a located
:class:`~topup.errors.ConfigError`; ``Config.settings`` holds the result. ``[alerts]`` (and each
account's ``alerts`` table) is parsed by :func:`topup.alerts.settings.parse`, through
:meth:`topup.alerts.AlertManager.from_config`, by the commands that send alerts: it loads
apprise, which ``topup check`` does not need.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from topup.account import Account
from topup.config_lines import find_line, suggest
from topup.credentials import resolve_secret
from topup.durations import parse_duration
from topup.errors import ConfigError
from topup.hosts import allowed_hosts
from topup.i18n import LANGUAGES, N_, normalize
from topup.i18n import gettext as _
from topup.run_options import RunOptions

#: Top-level tables besides ``[[accounts]]``.
SECTIONS = frozenset({"check", "storage", "watch", "alerts", "serve", "sandbox", "ui"})
#: The environment variable that overrides ``[serve] token``.
TOKEN_ENV = "TOPUP_SERVE_TOKEN"  # noqa: S105 - the variable's name, not a token


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """``[check]``: defaults for every check (`topup check`, the watcher)."""

    timeout: float | None = None
    concurrency: int | None = None
    per_host: int | None = None
    retries: int | None = None

    def run_options(
        self,
        *,
        timeout: float | None = None,
        concurrency: int | None = None,
        per_host: int | None = None,
    ) -> RunOptions:
        """These settings under the command line's (``None``: not given), over the defaults."""
        given = {
            "timeout": timeout if timeout is not None else self.timeout,
            "concurrency": concurrency if concurrency is not None else self.concurrency,
            "per_host": per_host if per_host is not None else self.per_host,
            "retries": self.retries,
        }
        values: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if values.get("concurrency") and "per_host" not in values:
            values["per_host"] = min(int(values["concurrency"]), RunOptions().per_host)
        return RunOptions(**values)


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """``[watch]``: the default interval between two checks of an account, in seconds; ``lease``
    (seconds, None: off): several workers on one PostgreSQL share the accounts through leases of
    this length."""

    interval: float | None = None
    lease: float | None = None


@dataclass(frozen=True, slots=True)
class StorageSettings:
    """``[storage]``: the history database (a SQLAlchemy URL; None: the default file); ``keep``
    (seconds, None: forever): per-poll checks older than this are pruned, change points kept."""

    url: str | None = None
    keep: float | None = None


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """``[serve]``: the access token as written (a literal, ``env:NAME`` or ``file:PATH``)."""

    token: str | None = None
    path: Path | None = None
    line: int | None = None
    #: Host names the dashboard answers for besides IP addresses and ``localhost``.
    allowed_hosts: tuple[str, ...] = ()

    def access_token(self, env: Mapping[str, str] | None = None) -> str | None:
        """``$TOPUP_SERVE_TOKEN``, else ``[serve] token`` resolved now (None: neither)."""
        env = os.environ if env is None else env
        value = env.get(TOKEN_ENV)
        if value:
            return value.strip()
        if self.token is None:
            return None
        return resolve_secret(self.token, "token", path=self.path, env=env, line=self.line).reveal()


@dataclass(frozen=True, slots=True)
class SandboxSettings:
    """``[sandbox]``: accepted as a table; no command reads a key from it."""


@dataclass(frozen=True, slots=True)
class UiSettings:
    """``[ui]``: ``lang``, the language of messages (``en``, ``zh-CN``; None: the locale's)."""

    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    check: CheckSettings = field(default_factory=CheckSettings)
    watch: WatchSettings = field(default_factory=WatchSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    #: ``[alerts]`` is not empty or an account has an ``alerts`` table.
    alerts_configured: bool = False


def database_url(value: str) -> str:
    """A SQLAlchemy URL as is; a file path as the URL of a SQLite file there."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def parse_settings(
    data: Mapping[str, Any], accounts: Sequence[Account], path: Path | None, text: str
) -> Settings:
    """The top-level tables of a parsed config file, validated."""
    for name in sorted(SECTIONS):
        if name in data and not isinstance(data[name], dict):
            raise ConfigError(
                _("[{table}] must be a table").format(table=name),
                path=path,
                line=find_line(text, name),
            )
    tables: dict[str, Mapping[str, Any]] = {n: data.get(n, {}) for n in SECTIONS}
    where = _Where(path, text)
    check = CheckSettings(**_validated(tables, "check", where))
    watch = WatchSettings(**_validated(tables, "watch", where))
    storage = {k: v for k, v in tables["storage"].items() if k != "url"}
    keep = _validated({"storage": storage}, "storage", where).get("keep")
    url = tables["storage"].get("url")
    if url is not None and (not isinstance(url, str) or not url.strip()):
        raise where.error(
            "storage",
            "url",
            _("[{table}] {key} must be a non-empty string").format(table="storage", key="url"),
            _("e.g. {example} or a file path").format(
                example='url = "postgresql+psycopg://topup@127.0.0.1/topup"'
            ),
        )
    token = tables["serve"].get("token")
    if token is not None and (not isinstance(token, str) or not token.strip()):
        raise where.error(
            "serve",
            "token",
            _("[{table}] {key} must be a non-empty string").format(table="serve", key="token"),
        )
    try:
        hosts = allowed_hosts(tables["serve"].get("allowed_hosts"))
    except ValueError as exc:
        raise where.error(
            "serve",
            "allowed_hosts",
            f"[serve] {exc}",
            _("e.g. {example}").format(example='allowed_hosts = ["topup.example.com"]'),
        ) from None
    return Settings(
        check=check,
        watch=watch,
        storage=StorageSettings(None if url is None else database_url(str(url)), keep=keep),
        serve=ServeSettings(
            token, path, where.line("serve", "token") if token else None, allowed_hosts=hosts
        ),
        sandbox=SandboxSettings(),
        ui=_ui(tables["ui"], where),
        alerts_configured=bool(tables["alerts"]) or any("alerts" in a.extra for a in accounts),
    )


#: ``[check]`` and ``[watch]`` settings: name -> (kind, what a valid value looks like).
_KINDS: dict[str, dict[str, tuple[str, str]]] = {
    "check": {
        "timeout": ("duration", "timeout = 20"),
        "concurrency": ("count", "concurrency = 32"),
        "per_host": ("count", "per_host = 8"),
        "retries": ("retries", "retries = 2"),
    },
    "watch": {
        "interval": ("duration", 'interval = "15m"'),
        "lease": ("duration", 'lease = "2m"'),
    },
    "storage": {"keep": ("duration", 'keep = "90d"')},
}
_WHAT = {
    "duration": N_("[{table}] {key} must be a positive duration"),
    "retries": N_("[{table}] {key} must be a whole number, 0 or more"),
    "count": N_("[{table}] {key} must be a whole number, 1 or more"),
}


class _Where:
    """Located errors for a key of a top-level table."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.text = text

    def line(self, table: str, key: str) -> int | None:
        header = find_line(self.text, table)
        return find_line(self.text, key, after=header or 0) or header

    def error(self, table: str, key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.line(table, key), hint=hint)


def _validated(
    tables: Mapping[str, Mapping[str, Any]], section: str, where: _Where
) -> dict[str, Any]:
    """The keys of ``[check]``, ``[watch]`` or ``[storage]``, durations in seconds."""
    allowed = _KINDS[section]
    values: dict[str, Any] = {}
    for key, value in tables[section].items():
        if key not in allowed:
            hint = suggest(key, allowed) or _("allowed: {keys}").format(keys=", ".join(allowed))
            raise where.error(section, key, _unknown(key, section), hint)
        kind, example = allowed[key]
        if kind == "duration":
            seconds = parse_duration(value)
            ok = seconds is not None and seconds > 0
            value = seconds
        else:
            least = 0 if kind == "retries" else 1
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= least
        if not ok:
            raise where.error(
                section,
                key,
                _(_WHAT[kind]).format(table=section, key=key),
                _("e.g. {example}").format(example=example),
            )
        values[key] = value
    return values


def _ui(table: Mapping[str, Any], where: _Where) -> UiSettings:
    for key in table:
        if key != "lang":
            raise where.error(
                "ui", key, _unknown(key, "ui"), _("allowed: {keys}").format(keys="lang")
            )
    lang = table.get("lang")
    if lang is None:
        return UiSettings()
    if not isinstance(lang, str) or normalize(lang) is None:
        raise where.error(
            "ui",
            "lang",
            _("[{table}] {key} must be one of: {values}").format(
                table="ui", key="lang", values=", ".join(LANGUAGES)
            ),
            _("e.g. {example}").format(example='lang = "zh-CN"'),
        )
    return UiSettings(normalize(lang))


def _unknown(key: str, table: str) -> str:
    return _("unknown key {key} in [{table}]").format(key=repr(key), table=table)
