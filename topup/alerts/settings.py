"""``[alerts]`` and each account's ``alerts`` table → typed, validated settings.

Every problem is a :class:`~topup.errors.ConfigError` naming the file, the line and the account.
See :mod:`topup.alerts` for the config format.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import apprise

from topup.account import Account
from topup.config import Config, parse_duration
from topup.errors import ConfigError
from topup.secrets import Secret

#: Rule names, as stored in the history database (stable).
BELOW = "below"
RUNWAY = "runway"
FAILURES = "failures"
EXPIRING = "expiring"
EXHAUSTED = "exhausted"
DISABLED = "disabled"
ENDPOINT_RETIRED = "endpoint_retired"
RULES: tuple[str, ...] = (
    BELOW,
    RUNWAY,
    FAILURES,
    EXPIRING,
    EXHAUSTED,
    DISABLED,
    ENDPOINT_RETIRED,
)

DEFAULT_FAILURES = 3
DEFAULT_EXPIRING_DAYS = Decimal(7)
DEFAULT_COOLDOWN = timedelta(hours=6)
DEFAULT_HYSTERESIS_PERCENT = Decimal(10)

#: Keys valid both in ``[alerts]`` and in an account's ``alerts`` table.
RULE_KEYS = frozenset(
    {
        "below",
        "runway_days",
        "failures",
        "expiring_days",
        "cooldown",
        "hysteresis",
        "exhausted",
        "disabled",
        "endpoint_retired",
        "enabled",
    }
)
GLOBAL_KEYS = RULE_KEYS | {"notify"}
ACCOUNT_KEYS = RULE_KEYS | {"notify_tags", "topup_url"}

_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Hysteresis:
    """How far past a threshold a value must come back before its alert clears."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    def clear_level(self, threshold: Decimal) -> Decimal:
        """The money level at or above which a ``below threshold`` alert clears."""
        if self.amount is not None:
            return threshold + self.amount
        percent = self.percent if self.percent is not None else DEFAULT_HYSTERESIS_PERCENT
        return threshold + abs(threshold) * percent / 100

    def clear_days(self, days: Decimal) -> Decimal:
        """The runway at or above which a ``runway below days`` alert clears (percent only)."""
        percent = self.percent if self.percent is not None else DEFAULT_HYSTERESIS_PERCENT
        return days + days * percent / 100

    def describe(self) -> str:
        if self.amount is not None:
            return f"{self.amount}"
        percent = self.percent if self.percent is not None else DEFAULT_HYSTERESIS_PERCENT
        return f"{percent}%"


@dataclass(frozen=True, slots=True)
class NotifyTarget:
    """One apprise URL (a secret: it holds tokens) and the tags it receives."""

    url: Secret
    tags: frozenset[str] = frozenset()
    #: Where it came from: ``notify[0]``, for messages.
    label: str = ""


@dataclass(frozen=True, slots=True)
class AccountRules:
    """The effective alert settings of one account: ``[alerts]`` defaults, then its overrides."""

    enabled: bool = True
    below: Decimal | None = None
    runway_days: Decimal | None = None
    failures: int | None = DEFAULT_FAILURES
    expiring_days: Decimal | None = DEFAULT_EXPIRING_DAYS
    exhausted: bool = True
    disabled: bool = True
    endpoint_retired: bool = True
    cooldown: timedelta = DEFAULT_COOLDOWN
    hysteresis: Hysteresis = Hysteresis()
    #: Route this account's notices to URLs with one of these tags (and to untagged URLs).
    notify_tags: tuple[str, ...] = ()
    topup_url: str | None = None

    def active(self, rule: str) -> bool:
        if not self.enabled:
            return False
        return {
            BELOW: self.below is not None,
            RUNWAY: self.runway_days is not None,
            FAILURES: self.failures is not None,
            EXPIRING: self.expiring_days is not None,
            EXHAUSTED: self.exhausted,
            DISABLED: self.disabled,
            ENDPOINT_RETIRED: self.endpoint_retired,
        }[rule]


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


class _Where:
    """Builds located errors for one table."""

    def __init__(
        self, path: Path | None, text: str | None, table: str, account: str | None = None
    ) -> None:
        self.path = path
        self.text = text
        self.table = table
        self.account = account

    def error(self, key: str | None, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(
            message, path=self.path, line=self.line(key), account=self.account, hint=hint
        )

    def line(self, key: str | None) -> int | None:
        if not self.text:
            return None
        lines = self.text.splitlines()
        if self.account is None:
            start = _first(lines, _ALERTS_HEADER, 1, len(lines))
            if start is None:
                return None
            end = _first(lines, _ANY_HEADER, start + 1, len(lines))
            stop = (end - 1) if end else len(lines)
            found = _first(lines, _key(key), start + 1, stop) if key else None
            return found or start
        name = _first(lines, _name(self.account), 1, len(lines))
        if name is None:
            return None
        start = _last(lines, _ACCOUNT_HEADER, 1, name) or name
        end = _first(lines, _ACCOUNT_END, start + 1, len(lines))
        stop = (end - 1) if end else len(lines)
        alerts = _first(lines, _ALERTS_KEY, start, stop)
        if alerts is None:
            return name
        found = _first(lines, _key(key), alerts, stop) if key else None
        return found or alerts


_ALERTS_HEADER = re.compile(r"^\s*\[\s*alerts\s*\]")
_ANY_HEADER = re.compile(r"^\s*\[")
_ACCOUNT_HEADER = re.compile(r"^\s*\[\[\s*accounts\s*\]\]")
_ACCOUNT_END = re.compile(r"^\s*\[(\[\s*accounts\s*\]\]|(?!\s*accounts\.))")
_ALERTS_KEY = re.compile(r"^\s*(alerts\s*=|\[\s*accounts\.alerts\s*\])")


def _key(key: str) -> re.Pattern[str]:
    return re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=")


def _name(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*name\s*=\s*[\"']{re.escape(name)}[\"']")


def _first(lines: Sequence[str], pattern: re.Pattern[str], start: int, stop: int) -> int | None:
    for number in range(max(start, 1), min(stop, len(lines)) + 1):
        if pattern.search(lines[number - 1]):
            return number
    return None


def _last(lines: Sequence[str], pattern: re.Pattern[str], start: int, stop: int) -> int | None:
    for number in range(min(stop, len(lines)), max(start, 1) - 1, -1):
        if pattern.search(lines[number - 1]):
            return number
    return None


def _config_text(config: Config) -> str | None:
    if config.path is None:
        return None
    try:
        return config.path.read_text(encoding="utf-8")
    except OSError:
        return None


def parse(config: Config) -> AlertSettings:
    """Validate ``[alerts]`` and every account's ``alerts`` table."""
    text = _config_text(config)
    where = _Where(config.path, text, "alerts")
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
    """One account's effective settings: its ``alerts`` table over ``min_balance`` over defaults."""
    where = _Where(path, text, "alerts", account.name)
    raw = account.extra.get("alerts", {})
    if not isinstance(raw, Mapping):
        raise where.error(
            None, "alerts must be a table", 'e.g. alerts = { below = "20", runway_days = 5 }'
        )
    _check_keys(raw, ACCOUNT_KEYS, where)
    base = defaults
    if account.min_balance is not None and "below" not in raw:
        base = _replace(base, below=account.min_balance)
    rules = _rules(raw, base, where)
    tags: tuple[str, ...] = account.tags
    if "notify_tags" in raw:
        tags = _tags(raw["notify_tags"], "notify_tags", where)
    topup_url = raw.get("topup_url")
    if topup_url is not None and (
        not isinstance(topup_url, str) or not re.match(r"^https?://\S+$", topup_url)
    ):
        raise where.error(
            "topup_url", "topup_url must be an http(s) URL", 'e.g. "https://example.com/topup"'
        )
    return _replace(rules, notify_tags=tags, topup_url=topup_url)


def _replace(rules: AccountRules, **changes: Any) -> AccountRules:
    return replace(rules, **changes)


def _check_keys(table: Mapping[str, Any], allowed: frozenset[str], where: _Where) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(sorted(allowed))}"
            )
            name = "[alerts]" if where.account is None else "alerts"
            raise where.error(str(key), f"unknown key {key!r} in {name}", hint)


def _rules(table: Mapping[str, Any], base: AccountRules, where: _Where) -> AccountRules:
    changes: dict[str, Any] = {}
    if "enabled" in table:
        changes["enabled"] = _bool(table["enabled"], "enabled", where)
    if "below" in table:
        changes["below"] = _amount(table["below"], "below", where, allow_off=True)
    if "runway_days" in table:
        changes["runway_days"] = _amount(
            table["runway_days"], "runway_days", where, allow_off=True, positive=True
        )
    if "failures" in table:
        changes["failures"] = _count(table["failures"], "failures", where)
    if "expiring_days" in table:
        changes["expiring_days"] = _amount(
            table["expiring_days"], "expiring_days", where, allow_off=True, positive=True
        )
    for flag in ("exhausted", "disabled", "endpoint_retired"):
        if flag in table:
            changes[flag] = _bool(table[flag], flag, where)
    if "cooldown" in table:
        changes["cooldown"] = _duration(table["cooldown"], "cooldown", where)
    if "hysteresis" in table:
        changes["hysteresis"] = _hysteresis(table["hysteresis"], where)
    return _replace(base, **changes) if changes else base


def _bool(value: Any, key: str, where: _Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, f"{key} must be true or false", f"e.g. {key} = false")
    return value


def _amount(
    value: Any, key: str, where: _Where, *, allow_off: bool = False, positive: bool = False
) -> Decimal | None:
    if value is False and allow_off:
        return None
    example = f'e.g. {key} = "5"' + (" or false to turn it off" if allow_off else "")
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise where.error(key, f"{key} must be a number", example)
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise where.error(key, f"{key} must be a number, got {value!r}", example) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise where.error(
            key, f"{key} must be a {'positive' if positive else 'non-negative'} number", example
        )
    return number


def _count(value: Any, key: str, where: _Where) -> int | None:
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise where.error(
            key, f"{key} must be a whole number of checks (1 or more)", f"e.g. {key} = 3, or false"
        )
    return value


def _duration(value: Any, key: str, where: _Where) -> timedelta:
    if value is False or value == 0:
        return timedelta(0)
    seconds = parse_duration(value)
    if seconds is None or seconds < 0:
        raise where.error(key, f"{key} must be a duration", f'e.g. {key} = "6h", "30m" or 0')
    return timedelta(seconds=seconds)


def _hysteresis(value: Any, where: _Where) -> Hysteresis:
    hint = 'e.g. hysteresis = "10%" (of the threshold) or "1" (an amount)'
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = Decimal(value.strip()[:-1].strip())
        except InvalidOperation:
            raise where.error(
                "hysteresis", f"hysteresis: not a percentage: {value!r}", hint
            ) from None
        if not percent.is_finite() or percent < 0:
            raise where.error("hysteresis", "hysteresis must not be negative", hint)
        return Hysteresis(percent=percent)
    amount = _amount(value, "hysteresis", where)
    assert amount is not None
    return Hysteresis(amount=amount)


def _tags(value: Any, key: str, where: _Where) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise where.error(key, f"{key} must be a list of strings", f'e.g. {key} = ["team-a"]')
    bad = [t for t in value if not _TAG.match(t)]
    if bad:
        raise where.error(
            key,
            f"{key}: {bad[0]!r} is not a valid tag",
            "letters, digits, '-', '_' and '.'; no spaces, commas or colons",
        )
    return tuple(t.lower() for t in value)


def _targets(value: Any, where: _Where) -> tuple[NotifyTarget, ...]:
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
                tags = _tags(item["tags"], "notify", where)
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
