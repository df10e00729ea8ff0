"""The config file: TOML, found at ``--config``, else ``$TOPUP_CONFIG``, else the user config dir.

Every problem is a :class:`~topup.errors.ConfigError` naming the file, the line or account, and
what to do; nothing is checked with a wrong config. Credentials are literals, ``env:NAME`` or
``file:PATH`` (relative to the config file), resolved here once into
:class:`~topup.secrets.Secret` values (:mod:`topup.credentials`). The other top-level tables are
parsed into ``Config.settings`` (:mod:`topup.settings`); :mod:`topup.config_lines` finds the
line an error is about. Custom platforms (``[[platforms]]`` and ``include``) are read and
registered before the accounts, by :mod:`topup.custom.loading`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from topup.account import Account
from topup.account_table import ACCOUNT_KEYS, CURRENCY, build_account
from topup.config_lines import account_lines, decode_line, deepest_line, find_line, suggest
from topup.config_values import decimal_setting
from topup.credentials import resolve_secret
from topup.durations import parse_duration
from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.settings import SECTIONS, Settings, parse_settings

if TYPE_CHECKING:
    from topup.custom.recipe import Recipe
    from topup.platforms.base import CredentialField

    Shape = tuple[frozenset[str], tuple[str, ...], tuple[CredentialField, ...]]

__all__ = [
    "ACCOUNT_KEYS",
    "CURRENCY",
    "ENV_VAR",
    "SECTIONS",
    "Config",
    "build_account",
    "decimal_setting",
    "default_path",
    "load",
    "locate",
    "parse",
    "parse_duration",
    "parse_toml",
    "resolve_secret",
]

ENV_VAR = "TOPUP_CONFIG"
#: Top-level keys besides the tables of :data:`SECTIONS`: accounts, custom platforms
#: (:mod:`topup.custom`) and the files more platforms are read from.
TOP_LEVEL = frozenset({"accounts", "platforms", "include"})


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    accounts: tuple[Account, ...]
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: ``[check]``, ``[watch]``, ``[storage]``, ``[serve]``, ``[sandbox]``: typed and validated.
    settings: Settings = field(default_factory=Settings)
    #: The custom platforms it declares (``[[platforms]]``, its ``include`` files), registered.
    platforms: tuple[Recipe, ...] = ()

    def section(self, name: str) -> Mapping[str, Any]:
        """A raw top-level table: only for the ``[alerts]`` parser (:mod:`topup.alerts.settings`);
        everything else reads :attr:`settings`."""
        return self.sections.get(name, {})

    def select(self, names: list[str]) -> tuple[Account, ...]:
        """The named accounts (all enabled ones when ``names`` is empty)."""
        if not names:
            return tuple(a for a in self.accounts if a.enabled)
        names = list(dict.fromkeys(names))  # each account once, in the order given
        by_name = {a.name: a for a in self.accounts}
        missing = [n for n in names if n not in by_name]
        if missing:
            hint = suggest(missing[0], by_name)
            raise ConfigError(
                _("no account named {names}").format(names=", ".join(map(repr, missing))),
                path=self.path,
                hint=hint or _("accounts: {names}").format(names=", ".join(by_name) or _("none")),
            )
        return tuple(by_name[n] for n in names)


def default_path() -> Path:
    return platformdirs.user_config_path("topup") / "config.toml"


def locate(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default_path()


def load(explicit: Path | None = None) -> Config:
    path = locate(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            _("config file not found"),
            path=path,
            hint=_(
                "create it with an [[accounts]] table: {example} (see the README), "
                "or pass --config PATH"
            ).format(
                example='name = "sf", provider = "siliconflow", api_key = "env:SILICONFLOW_API_KEY"'
            ),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("cannot read config: {error}").format(error=exc), path=path) from None
    return parse(text, path)


def parse(text: str, path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    try:
        return _parse(text, path, env)
    except RecursionError:  # tomllib (or a check of a value) recursing into deep nesting
        raise ConfigError(
            _("not valid TOML: arrays or tables nested too deeply"),
            path=path,
            line=deepest_line(text),
            hint=_("nest fewer levels at that line"),
        ) from None


def parse_toml(text: str, path: Path | None) -> dict[str, Any]:
    """A TOML document (floats as exact Decimals), or a located :class:`ConfigError`."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line = decode_line(str(exc))
        if line is None and "at end of document" in str(exc):
            line = max(1, len(text.splitlines()))
        raise ConfigError(
            _("not valid TOML: {error}").format(error=str(exc).split(" (at ")[0]),
            path=path,
            line=line,
            hint=_("fix the syntax at that line") if line is not None else _("fix the syntax"),
        ) from None
    except RecursionError:
        raise
    except Exception as exc:  # any other parser failure is still the file's, not a crash
        raise ConfigError(
            _("not valid TOML: {error}").format(error=f"{type(exc).__name__}: {exc}"),
            path=path,
            line=deepest_line(text),
            hint=_("fix the syntax"),
        ) from None


def _parse(text: str, path: Path | None, env: Mapping[str, str]) -> Config:
    from topup.custom.loading import load_platforms  # here: topup.custom imports this module

    data = parse_toml(text, path)
    unknown = set(data) - SECTIONS - TOP_LEVEL
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            _("unknown table or key {key}").format(key=repr(key)),
            path=path,
            line=find_line(text, key),
            hint=suggest(key, SECTIONS | TOP_LEVEL) or _("remove it"),
        )
    platforms = load_platforms(data, path=path, text=text)
    raw_accounts = data.get("accounts", [])
    if not isinstance(raw_accounts, list):
        raise ConfigError(
            _("accounts must be an array of tables"),
            path=path,
            hint=_("write each account under its own [[accounts]] header"),
        )
    lines = account_lines(text)
    base_dir = path.parent if path is not None else Path.cwd()
    accounts: list[Account] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(raw_accounts):
        line = lines[index] if index < len(lines) else None
        account = build_account(raw, path=path, line=line, base_dir=base_dir, env=env, text=text)
        if account.name in seen:
            raise ConfigError(
                _("duplicate account name {name}").format(name=repr(account.name)),
                path=path,
                line=line,
                hint=_("first defined at line {line}; names must be unique").format(
                    line=seen[account.name]
                ),
            )
        seen[account.name] = line
        accounts.append(account)
    settings = parse_settings(data, accounts, path, text)
    sections = {k: v for k, v in data.items() if k in SECTIONS}
    return Config(
        path=path,
        accounts=tuple(accounts),
        sections=sections,
        settings=settings,
        platforms=platforms,
    )
