"""One ``[[accounts]]`` table into an :class:`~topup.account.Account`: its keys checked against
its platform's fields, its credentials resolved, its settings parsed, or a located
:class:`~topup.errors.ConfigError`. :mod:`topup.config` reads the file and calls it per table;
the importers and `topup keys check` build accounts the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from topup.account import Account
from topup.config_lines import find_line, suggest
from topup.config_values import decimal_setting, require, seconds_setting
from topup.credentials import resolve
from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.platforms import all_providers, get_provider
from topup.secrets import Secret

if TYPE_CHECKING:
    from topup.platforms.base import CredentialField, Provider

    Shape = tuple[frozenset[str], tuple[str, ...], tuple[CredentialField, ...]]

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

#: The example name a hint shows for an account without one.
_NAME_EXAMPLE = 'name = "something-unique"'
#: The start of an http(s) URL with a host, as ``base_url`` must begin.
HTTP_URL = re.compile(r"^https?://[^/\s]+")
#: An ISO 4217 code, or one of the unit codes amounts that are not money carry.
CURRENCY = re.compile(r"^([A-Z]{3}|POINTS|CREDITS|REQUESTS|TOKENS|DIEM)$")


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
