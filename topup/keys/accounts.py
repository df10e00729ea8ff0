"""A key line → the :class:`~topup.account.Account` to check, or the row saying why it cannot be.

The account is built by the config's own :func:`~topup.account_table.build_account` (the same checks
and messages as an ``[[accounts]]`` table): named by the line's ``name`` column, else
``line-N``; the key fills the platform's single credential field (:func:`key_field`). The
platform is the line's ``provider`` column, else ``--provider``, else detected
(:mod:`topup.keys.detect`); the base URL is the line's ``base_url`` column, else
``--base-url``. A line that cannot be checked becomes a ``config_error`` result whose message
says why; its text passes the one sanitising path with the key masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from topup import sanitize
from topup.account import Account
from topup.account_table import build_account
from topup.errors import ConfigError
from topup.i18n import use
from topup.keys.detect import Rules, key_field, needs_more, rules
from topup.keys.reading import KeyLine
from topup.model import CheckResult, Status
from topup.platforms import get_provider
from topup.secrets import Secret

#: Prefixes that make a config value a reference, not the key itself.
REFERENCES = ("env:", "file:")


@dataclass(frozen=True, slots=True)
class Defaults:
    """What the command line gives every line that does not say otherwise."""

    provider: str | None = None
    base_url: str | None = None


def prepare(
    line: KeyLine, defaults: Defaults, detection: Rules | None = None
) -> Account | CheckResult:
    """The account of ``line``, or its ``config_error`` result. Its message is English in every
    language: a row's message is part of ``--json``/``--csv``, like a platform's messages."""
    with use("en"):
        return _prepare(line, defaults, detection)


def _prepare(line: KeyLine, defaults: Defaults, detection: Rules | None) -> Account | CheckResult:
    secret = Secret(line.key)
    name = sanitize.message(line.name, (secret,)) if line.name else ""
    name = name or f"line-{line.line}"

    def refuse(message: str, provider: str = "") -> CheckResult:
        text = sanitize.message(message, (secret,))
        return CheckResult.failure(name, provider, Status.CONFIG_ERROR, text)

    if line.problem:
        return refuse(line.problem)
    if line.key.startswith(REFERENCES):
        return refuse("a key file holds the keys themselves, not env: or file: references")
    base_url = line.base_url or defaults.base_url
    provider = line.provider or defaults.provider
    if provider is None:
        found = (detection or rules()).detect(line.key, base_url)
        if found.provider is None:
            return refuse(found.reason or "the platform could not be told")
        provider = found.provider
    raw: dict[str, object] = {"name": name, "provider": provider}
    if base_url:
        raw["base_url"] = base_url
    platform = get_provider(provider)
    if platform is not None:
        field = key_field(platform)
        if field is None:
            return refuse(needs_more(platform), provider)
        raw[field] = line.key
    try:
        # an unknown provider is reported here too, with the config's did-you-mean
        return build_account(raw, base_dir=Path.cwd(), env={})
    except ConfigError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        return refuse(f"{exc.message}{hint}", provider)
