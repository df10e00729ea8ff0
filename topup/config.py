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
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import platformdirs

from topup.account import Account
from topup.config_lines import account_lines, decode_line, deepest_line, find_line, suggest
from topup.config_values import decimal_setting, require, seconds_setting
from topup.credentials import resolve, resolve_secret
from topup.durations import parse_duration
from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.platforms import all_providers, get_provider
from topup.secrets import Secret
from topup.settings import SECTIONS, Settings, parse_settings

if TYPE_CHECKING:
    from topup.custom.recipe import Recipe
    from topup.platforms.base import CredentialField, Provider

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
PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h"})

#: Keys every account may have, besides its platform's credential fields.
ACCOUNT_KEYS = frozenset(
    {
        "name",
        "provider",
        "base_url",
        "enabled",
        "min_balance",
        "currency",
        "quota_per_unit",
        "timeout",
        "interval",
        "tags",
        "alerts",
        "notes",
        "proxy",
        "totals",
    }
)

#: Top-level keys besides the tables of :data:`SECTIONS`: accounts, custom platforms
#: (:mod:`topup.custom`) and the files more platforms are read from.
TOP_LEVEL = frozenset({"accounts", "platforms", "include"})

#: The example name a hint shows for an account without one.
_NAME_EXAMPLE = 'name = "something-unique"'
#: The start of an http(s) URL with a host, as ``base_url`` must begin.
HTTP_URL = re.compile(r"^https?://[^/\s]+")
#: An ISO 4217 code, or one of the unit codes amounts that are not money carry.
CURRENCY = re.compile(r"^([A-Z]{3}|POINTS|CREDITS|REQUESTS|TOKENS|DIEM)$")


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


def build_account(
    raw: Any,
    *,
    path: Path | None = None,
    line: int | None = None,
    base_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    text: str | None = None,
) -> Account:
    """One ``[[accounts]]`` table → :class:`Account`, or a located :class:`ConfigError`."""
    env = os.environ if env is None else env
    base_dir = base_dir or Path.cwd()

    def error(message: str, hint: str | None = None, *, key: str | None = None) -> ConfigError:
        where = line
        if key and text and line:
            where = find_line(text, key, after=line) or line
        return ConfigError(message, path=path, line=where, account=name, hint=hint)

    name: str | None = None
    if not isinstance(raw, dict):
        raise error(_("an account must be a table"), _("write it under an [[accounts]] header"))
    name = raw.get("name") if isinstance(raw.get("name"), str) else None
    if not name:
        raise error(_("account has no name"), _("add {example}").format(example=_NAME_EXAMPLE))
    provider_name = raw.get("provider")
    if not isinstance(provider_name, str) or not provider_name:
        raise error(
            _("account has no provider"),
            _("one of: {names}").format(names=", ".join(all_providers())),
        )
    provider = get_provider(provider_name)
    if provider is None:
        hint = suggest(provider_name, all_providers()) or _(
            "one of: {names} (see `topup providers`)"
        ).format(names=", ".join(all_providers()))
        raise error(
            _("unknown provider {name}").format(name=repr(provider_name)), hint, key="provider"
        )
    allowed, secret_names, option_fields = _shape(provider)
    for key in raw:
        if key not in allowed:
            raise error(
                _("unknown key {key} for provider {provider}").format(
                    key=repr(key), provider=repr(provider_name)
                ),
                suggest(key, allowed)
                or _("allowed: {keys}").format(keys=", ".join(sorted(allowed))),
                key=key,
            )

    credentials: dict[str, Secret] = {}
    for secret_name in secret_names:
        if secret_name in raw:
            value = raw[secret_name]
            if not isinstance(value, str):
                raise error(_("{key} must be a string").format(key=secret_name), key=secret_name)
            credentials[secret_name] = resolve(value, secret_name, base_dir, env, error)

    base_url = raw.get("base_url")
    if base_url is not None:
        if not isinstance(base_url, str) or not HTTP_URL.match(base_url):
            raise error(
                _("{key} must be an http(s) URL").format(key="base_url"),
                _("e.g. {example}").format(example='base_url = "https://relay.example.com"'),
                key="base_url",
            )
        base_url = base_url.rstrip("/")
    proxy = None
    if "proxy" in raw:
        if not isinstance(raw["proxy"], str):
            raise error(
                _("{key} must be a string").format(key="proxy"),
                _("e.g. {example}").format(example='proxy = "socks5://127.0.0.1:1080"'),
            )
        proxy = resolve(raw["proxy"], "proxy", base_dir, env, error)
        parts = urlsplit(proxy.reveal())
        if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
            raise error(
                _("{key} must be an http://, https://, socks5:// or socks5h:// URL").format(
                    key="proxy"
                ),
                _("e.g. {example} (a password in it is kept secret)").format(
                    example='proxy = "http://127.0.0.1:7890"'
                ),
                key="proxy",
            )
    options: dict[str, str] = {}
    for option in option_fields:
        value = raw.get(option.name)
        if value is None:
            continue
        text = str(value).strip() if isinstance(value, int | str) else ""
        if isinstance(value, bool) or not text or not option.accepts(text):
            example = (
                _("e.g. {example}").format(example=f"{option.name} = {option.example}")
                if option.example
                else None
            )
            what = (
                _("{key} must be a number")
                if option.example and option.example.isdigit()
                else _("{key} must be valid")
            )
            raise error(what.format(key=option.name), example, key=option.name)
        options[option.name] = text
    currency = raw.get("currency")
    if currency is not None:
        if not isinstance(currency, str) or not CURRENCY.match(currency.upper()):
            raise error(
                _("{key} must be an ISO code (or a unit: POINTS, CREDITS...)").format(
                    key="currency"
                ),
                _("e.g. {example}").format(example='currency = "CNY"'),
                key="currency",
            )
        currency = currency.upper()
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise error(
            _("{key} must be a list of strings").format(key="tags"),
            _("e.g. {example}").format(example='tags = ["team-a"]'),
            key="tags",
        )
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise error(_("{key} must be true or false").format(key="enabled"), key="enabled")
    totals = raw.get("totals", True)
    if not isinstance(totals, bool):
        raise error(_("{key} must be true or false").format(key="totals"), key="totals")
    extra = {k: raw[k] for k in ("alerts", "notes") if k in raw}

    account = Account(
        name=name,
        provider=provider_name,
        credentials=credentials,
        base_url=base_url,
        options=options,
        currency=currency,
        quota_per_unit=decimal_setting(raw, "quota_per_unit", error, positive=True),
        min_balance=decimal_setting(raw, "min_balance", error),
        enabled=enabled,
        timeout=seconds_setting(raw, "timeout", error),
        interval=seconds_setting(raw, "interval", error),
        tags=tuple(tags),
        extra=extra,
        proxy=proxy,
        totals=totals,
    )
    present = frozenset(credentials) | frozenset(options)
    require(provider, account, present, error)
    try:
        provider.validate(account, present)  # a platform's own rules, in its own words
    except ConfigError as exc:
        raise error(exc.message, exc.hint) from None
    return account


#: What :func:`build_account` needs of a platform: the keys an account of it may have, its
#: secret fields (sorted) and its settings. Computed once per platform class.
_SHAPES: WeakKeyDictionary[type[Provider], Shape] = WeakKeyDictionary()


def _shape(provider: type[Provider]) -> Shape:
    shape = _SHAPES.get(provider)
    if shape is None:
        shape = _SHAPES[provider] = (
            ACCOUNT_KEYS | provider.field_names(),
            tuple(sorted(provider.secret_field_names())),
            provider.option_fields(),
        )
    return shape
