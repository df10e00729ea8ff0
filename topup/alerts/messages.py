"""The texts: which account, what is left, the runway, the rule, and what to do.

Every text is scrubbed of the account's credentials before it leaves (and built from fields that
hold none: names, amounts, statuses, the platform's site without user info or query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from topup.account import Account
from topup.alerts.settings import (
    BELOW,
    DISABLED,
    ENDPOINT_RETIRED,
    EXHAUSTED,
    EXPIRING,
    FAILURES,
    RUNWAY,
    AccountRules,
)
from topup.model import CheckResult, Status
from topup.platforms import get_provider
from topup.secrets import Secret, scrub

Kind = Literal["fired", "recovered", "test"]
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Notice:
    """One message: what :meth:`AlertManager.observe` sent."""

    account: str
    provider: str
    rule: str
    kind: Kind
    title: str
    body: str
    at: datetime
    #: apprise notify type: ``info``, ``success``, ``warning`` or ``failure``.
    severity: str = "warning"
    #: The notify URLs (masked) that accepted it; empty when no URL is routed to the account.
    sent_to: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}"


@dataclass(frozen=True, slots=True)
class LastGood:
    """The last amounts a good check saw, for messages about failed checks."""

    currency: str | None
    balance: Decimal | None
    unlimited: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    account: Account
    rules: AccountRules
    result: CheckResult
    last_good: LastGood | None
    runway_days: Decimal | None
    spend_per_day: Decimal | None
    failures: int


def money(value: Decimal, currency: str | None) -> str:
    """Amounts for people: 2 decimals (more for tiny amounts), thousands separators."""
    if value != 0 and abs(value) < CENT:
        text = f"{value.normalize():f}"
    else:
        text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"
    return f"{text} {currency}" if currency else text


def days(value: Decimal) -> str:
    shown = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown.normalize():f} day{'' if shown == 1 else 's'}"


def platform(account: Account) -> str:
    provider = get_provider(account.provider)
    return provider.title if provider is not None else account.provider


def site(account: Account, rules: AccountRules) -> str | None:
    """Where to top up: the account's ``alerts.topup_url``, the platform's, or its base URL."""
    provider = get_provider(account.provider)
    url = rules.topup_url
    if url is None and provider is not None:
        url = getattr(provider, "topup_url", None) or None
    if url is None:
        url = account.base_url or (provider.default_base_url if provider else None)
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _left(f: Facts) -> str:
    r = f.result
    if r.status.checked and r.unlimited:
        return "unlimited"
    if r.status.checked and r.balance is not None:
        return money(r.balance, r.currency)
    lg = f.last_good
    if lg is not None and (lg.balance is not None or lg.unlimited):
        amount = "unlimited" if lg.unlimited else money(lg.balance or Decimal(0), lg.currency)
        return f"unknown now; last seen {amount} at {_when(lg.at)}"
    return "unknown"


def _runway(f: Facts) -> str:
    if f.result.status.checked and f.result.unlimited:
        return "no limit"
    currency = f.result.currency or (f.last_good.currency if f.last_good else None)
    spend = ""
    if f.spend_per_day is not None:
        spend = f" (spending {money(f.spend_per_day, currency)}/day)"
    if f.runway_days is not None:
        return f"about {days(f.runway_days)}{spend}"
    if f.spend_per_day is not None and f.spend_per_day <= 0:
        return "no recent spending"
    return "unknown (not enough history yet)"


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _status_line(r: CheckResult) -> str:
    text = r.status.value
    if r.message:
        text += f": {r.message}"
    return text


def _rule_text(rule: str, f: Facts) -> str:
    rules, r = f.rules, f.result
    currency = r.currency or (f.last_good.currency if f.last_good else None)
    if rule == BELOW:
        assert rules.below is not None
        return f"balance below {money(rules.below, currency)}"
    if rule == RUNWAY:
        assert rules.runway_days is not None
        return f"runway below {days(rules.runway_days)}"
    if rule == FAILURES:
        return f"checks failing {rules.failures} times in a row"
    if rule == EXPIRING:
        assert rules.expiring_days is not None
        return f"key expiring within {days(rules.expiring_days)}"
    if rule == EXHAUSTED:
        return "key or account exhausted"
    if rule == DISABLED:
        return "account or key disabled"
    if rule == ENDPOINT_RETIRED:
        return "endpoint retired"
    return rule


def _headline(rule: str, f: Facts) -> str:
    r = f.result
    if rule == BELOW:
        return f"balance low: {_left(f)} left"
    if rule == RUNWAY:
        return f"runs out soon: {_runway(f)} left"
    if rule == FAILURES:
        return f"checks failing ({f.failures} in a row, {r.status.value})"
    if rule == EXPIRING:
        return f"key expires {_when(r.expires_at)}" if r.expires_at else "key expiring"
    if rule == EXHAUSTED:
        return "exhausted: the platform refuses the key"
    if rule == DISABLED:
        return "disabled by the platform"
    if rule == ENDPOINT_RETIRED:
        return "the platform retired the balance endpoint"
    return rule


def _todo(rule: str, f: Facts) -> str:
    where = site(f.account, f.rules)
    at = f" at {where}" if where else ""
    name = f.account.name
    if rule in (BELOW, RUNWAY, EXHAUSTED):
        return f"top up{at}."
    if rule == DISABLED:
        return f"check the account{at}; re-enable it, or replace the key in the config."
    if rule == EXPIRING:
        return f"replace the key before it expires, or extend it{at}."
    if rule == FAILURES:
        if f.result.status is Status.AUTH_ERROR:
            return "replace the key: the platform no longer accepts it."
        return (
            f"check the platform{at} and the account's settings; "
            f"`topup check {name}` shows the error."
        )
    if rule == ENDPOINT_RETIRED:
        return (
            "the platform retired this endpoint; upgrade topup (pip install -U topup), "
            "or point the account's base_url at the platform's current API."
        )
    return "see `topup check`."


def _recovered(rule: str, f: Facts) -> str:
    r = f.result
    if rule == BELOW:
        return f"balance back to {_left(f)}"
    if rule == RUNWAY:
        return f"runway back to {_runway(f)}"
    if rule == FAILURES:
        return f"checks succeed again ({r.status.value})"
    if rule == EXPIRING:
        return f"key now expires {_when(r.expires_at)}" if r.expires_at else "key no longer expires"
    if rule == EXHAUSTED:
        return f"no longer exhausted ({r.status.value})"
    if rule == DISABLED:
        return f"no longer disabled ({r.status.value})"
    if rule == ENDPOINT_RETIRED:
        return "the balance endpoint answers again"
    return "cleared"


def compose(rule: str, kind: Kind, f: Facts, secrets: tuple[Secret, ...] = ()) -> Notice:
    """The title and body of a ``fired`` or ``recovered`` notice."""
    account = f.account
    lines = [f"Account: {account.name} ({platform(account)})"]
    if kind == "recovered":
        what = _recovered(rule, f)
        title = f"topup: {account.name} recovered: {what}"
        lines.append(f"Cleared: {_rule_text(rule, f)}: {what}")
        lines.append(f"Left: {_left(f)}")
        lines.append(f"Runway: {_runway(f)}")
        severity = "success"
    else:
        title = f"topup: {account.name} {_headline(rule, f)}"
        lines.append(f"Left: {_left(f)}")
        lines.append(f"Runway: {_runway(f)}")
        lines.append(f"Rule: {_rule_text(rule, f)}")
        if not f.result.status.checked or f.result.status is not Status.OK:
            lines.append(f"Last check: {_status_line(f.result)}")
        lines.append(f"What to do: {_todo(rule, f)}")
        severity = "failure" if rule in (EXHAUSTED, DISABLED, ENDPOINT_RETIRED) else "warning"
    lines.append(f"Checked: {_when(f.result.checked_at)}")
    body = "\n".join(lines)
    all_secrets = (*account.secrets, *secrets)
    return Notice(
        account=account.name,
        provider=account.provider,
        rule=rule,
        kind=kind,
        title=scrub(title, all_secrets),
        body=scrub(body, all_secrets),
        at=f.result.checked_at,
        severity=severity,
    )


def make_test_notice(now: datetime) -> Notice:
    return Notice(
        account="",
        provider="",
        rule="test",
        kind="test",
        title="topup: test alert",
        body=(
            "This is a test message from `topup alerts test`: this channel receives topup's "
            "balance alerts. Nothing needs doing."
        ),
        at=now,
        severity="info",
    )
