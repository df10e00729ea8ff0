"""``[alerts]`` and each account's ``alerts`` table → typed, validated settings.

Every problem is a :class:`~topup.errors.ConfigError` naming the file, the line and the account
(:mod:`~.located`). The keys of the rules come from the rules themselves (:data:`~.rules.RULES`);
this module parses the keys every rule shares (``enabled``, ``cooldown``, ``hysteresis``), the
routing (``notify``, ``notify_tags``) and ``topup_url``. See :mod:`topup.alerts` for the format.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import apprise

from topup.account import Account
from topup.alerts import values
from topup.alerts.located import Where, config_text
from topup.alerts.rules import RULES
from topup.alerts.values import Hysteresis
from topup.config import Config
from topup.secrets import Secret

DEFAULT_COOLDOWN = timedelta(hours=6)

#: Keys valid both in ``[alerts]`` and in an account's ``alerts`` table.
RULE_KEYS = frozenset({rule.key for rule in RULES} | {"cooldown", "hysteresis", "enabled"})
GLOBAL_KEYS = RULE_KEYS | {"notify"}
ACCOUNT_KEYS = RULE_KEYS | {"notify_tags", "topup_url"}


@dataclass(frozen=True, slots=True)
class NotifyTarget:
    """One apprise URL (a secret: it holds tokens) and the tags it receives."""

    url: Secret
    tags: frozenset[str] = frozenset()
    #: Where it came from: ``notify[0]``, for messages.
    label: str = ""


@dataclass(frozen=True, slots=True)
class AccountRules:
    """The effective alert settings of one account: ``[alerts]`` defaults, then its overrides.

    A rule's own setting is ``rule.setting(rules)`` (its default unless a table set it).
    """

    enabled: bool = True
    #: The settings the tables gave, by rule name (None: turned off).
    settings: Mapping[str, object] = field(default_factory=dict)
    cooldown: timedelta = DEFAULT_COOLDOWN
    hysteresis: Hysteresis = field(default_factory=Hysteresis)
    #: Route this account's notices to URLs with one of these tags (and to untagged URLs).
    notify_tags: tuple[str, ...] = ()
    topup_url: str | None = None

    def with_settings(self, changes: Mapping[str, object]) -> AccountRules:
        if not changes:
            return self
        return replace(self, settings={**self.settings, **changes})


@dataclass(frozen=True, slots=True)
class AlertSettings:
    targets: tuple[NotifyTarget, ...]
    defaults: AccountRules
    accounts: Mapping[str, AccountRules]
    path: Path | None = None

    def rules_for(self, account: Account) -> AccountRules:
        found = self.accounts.get(account.name)
        if found is not None:
            return found
        return account_rules(account, self.defaults, path=self.path)


def parse(config: Config) -> AlertSettings:
    """Validate ``[alerts]`` and every account's ``alerts`` table."""
    text = config_text(config)
    where = Where(config.path, text, "alerts")
    section = config.section("alerts")
    if not isinstance(section, Mapping):
        raise where.error(None, "[alerts] must be a table")
    _check_keys(section, GLOBAL_KEYS, where)
    targets = _targets(section.get("notify", []), where)
    defaults = _rules(section, AccountRules(), where)
    accounts: dict[str, AccountRules] = {}
    for account in config.accounts:
        accounts[account.name] = account_rules(account, defaults, path=config.path, text=text)
    return AlertSettings(targets, defaults, accounts, config.path)


def account_rules(
    account: Account,
    defaults: AccountRules,
    *,
    path: Path | None = None,
    text: str | None = None,
) -> AccountRules:
    """One account's effective settings: its ``alerts`` table over what the account gives
    elsewhere (``min_balance``: :meth:`Rule.inherit`) over the defaults."""
    where = Where(path, text, "alerts", account.name)
    raw = account.extra.get("alerts", {})
    if not isinstance(raw, Mapping):
        raise where.error(
            None, "alerts must be a table", 'e.g. alerts = { below = "20", runway_days = 5 }'
        )
    _check_keys(raw, ACCOUNT_KEYS, where)
    inherited: dict[str, object] = {}
    for rule in RULES:
        if rule.key not in raw:
            value = rule.inherit(account)
            if value is not None:
                inherited[rule.name] = value
    rules = _rules(raw, defaults.with_settings(inherited), where)
    tags: tuple[str, ...] = account.tags
    if "notify_tags" in raw:
        tags = values.tags(raw["notify_tags"], "notify_tags", where)
    topup_url = raw.get("topup_url")
    if topup_url is not None and (
        not isinstance(topup_url, str) or not re.match(r"^https?://\S+$", topup_url)
    ):
        raise where.error(
            "topup_url", "topup_url must be an http(s) URL", 'e.g. "https://example.com/topup"'
        )
    return replace(rules, notify_tags=tags, topup_url=topup_url)


def _check_keys(table: Mapping[str, Any], allowed: frozenset[str], where: Where) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(sorted(allowed))}"
            )
            name = "[alerts]" if where.account is None else "alerts"
            raise where.error(str(key), f"unknown key {key!r} in {name}", hint)


def _rules(table: Mapping[str, Any], base: AccountRules, where: Where) -> AccountRules:
    """``base`` with what ``table`` sets: ``enabled``, every rule's key, cooldown, hysteresis."""
    rules = base
    if "enabled" in table:
        rules = replace(rules, enabled=values.flag(table["enabled"], "enabled", where))
    rules = rules.with_settings(
        {rule.name: rule.parse(table[rule.key], where) for rule in RULES if rule.key in table}
    )
    if "cooldown" in table:
        rules = replace(rules, cooldown=values.duration(table["cooldown"], "cooldown", where))
    if "hysteresis" in table:
        rules = replace(rules, hysteresis=values.hysteresis(table["hysteresis"], where))
    return rules


def _targets(value: Any, where: Where) -> tuple[NotifyTarget, ...]:
    hint = 'e.g. notify = ["json://127.0.0.1:9999/hook", { url = "tgram://...", tags = ["a"] }]'
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise where.error("notify", "notify must be a list of apprise URLs", hint)
    targets: list[NotifyTarget] = []
    for index, item in enumerate(value):
        label = f"notify[{index}]"
        tags: tuple[str, ...] = ()
        if isinstance(item, Mapping):
            unknown = set(item) - {"url", "tags"}
            if unknown:
                raise where.error(
                    "notify", f"{label}: unknown key {sorted(unknown)[0]!r}", "use url and tags"
                )
            url = item.get("url")
            if "tags" in item:
                tags = values.tags(item["tags"], "notify", where)
        else:
            url = item
        if not isinstance(url, str) or not url.strip():
            raise where.error("notify", f"{label} must be an apprise URL string", hint)
        url = url.strip()
        if "://" not in url:
            # Never echo the value: an apprise URL carries tokens.
            raise where.error("notify", f"{label} is not an apprise URL (no scheme://)", hint)
        if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
            scheme = url.split("://", 1)[0]
            raise where.error(
                "notify",
                f"{label}: apprise does not accept this {scheme}:// URL",
                "check it against https://github.com/caronc/apprise/wiki (value not shown: "
                "it may hold a token)",
            )
        targets.append(NotifyTarget(Secret(url), frozenset(tags), label))
    return tuple(targets)
