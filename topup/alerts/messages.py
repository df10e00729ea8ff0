"""The texts: which account, what is left, the runway, the rule, and what to do.

:func:`compose` lays out every notice the same way; what is particular to a rule (its
headline, the rule itself, what to do, what a recovery says, its severity) comes from its
:class:`~topup.alerts.rule.Rule` object, which builds those parts with the helpers here.

Every text is scrubbed of the account's credentials before it leaves (and built from fields that
hold none: names, amounts, statuses, the platform's site without user info or query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from topup.account import Account
from topup.alerts.engine import RuleState
from topup.model import CheckResult, Status
from topup.platforms import get_provider
from topup.secrets import Secret, scrub

if TYPE_CHECKING:
    from topup.alerts.rule import Rule
    from topup.alerts.settings import AccountRules

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
    """What a notice of one rule of one account can say."""

    account: Account
    rules: AccountRules
    result: CheckResult
    last_good: LastGood | None
    runway_days: Decimal | None
    spend_per_day: Decimal | None
    #: The rule's own state after this check (the ``failures`` rule's count of failures).
    state: RuleState


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


def currency(f: Facts) -> str | None:
    """The account's currency: this check's, else the last good one's."""
    return f.result.currency or (f.last_good.currency if f.last_good else None)


def left(f: Facts) -> str:
    r = f.result
    if r.status.checked and r.unlimited:
        return "unlimited"
    if r.status.checked and r.balance is not None:
        return money(r.balance, r.currency)
    lg = f.last_good
    if lg is not None and (lg.balance is not None or lg.unlimited):
        amount = "unlimited" if lg.unlimited else money(lg.balance or Decimal(0), lg.currency)
        return f"unknown now; last seen {amount} at {when(lg.at)}"
    return "unknown"


def runway(f: Facts) -> str:
    if f.result.status.checked and f.result.unlimited:
        return "no limit"
    spend = ""
    if f.spend_per_day is not None:
        spend = f" (spending {money(f.spend_per_day, currency(f))}/day)"
    if f.runway_days is not None:
        return f"about {days(f.runway_days)}{spend}"
    if f.spend_per_day is not None and f.spend_per_day <= 0:
        return "no recent spending"
    return "unknown (not enough history yet)"


def when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def at_site(f: Facts) -> str:
    """`` at <where to top up>``, or nothing when the site is unknown."""
    where = site(f.account, f.rules)
    return f" at {where}" if where else ""


def _status_line(r: CheckResult) -> str:
    text = r.status.value
    if r.message:
        text += f": {r.message}"
    return text


def compose(rule: Rule[Any], kind: Kind, f: Facts, secrets: tuple[Secret, ...] = ()) -> Notice:
    """The title and body of a ``fired`` or ``recovered`` notice of ``rule``."""
    account = f.account
    lines = [f"Account: {account.name} ({platform(account)})"]
    if kind == "recovered":
        what = rule.recovered(f)
        title = f"topup: {account.name} recovered: {what}"
        lines.append(f"Cleared: {rule.describe(f)}: {what}")
        lines.append(f"Left: {left(f)}")
        lines.append(f"Runway: {runway(f)}")
        severity = "success"
    else:
        title = f"topup: {account.name} {rule.headline(f)}"
        lines.append(f"Left: {left(f)}")
        lines.append(f"Runway: {runway(f)}")
        lines.append(f"Rule: {rule.describe(f)}")
        if not f.result.status.checked or f.result.status is not Status.OK:
            lines.append(f"Last check: {_status_line(f.result)}")
        lines.append(f"What to do: {rule.todo(f)}")
        severity = rule.severity
    lines.append(f"Checked: {when(f.result.checked_at)}")
    body = "\n".join(lines)
    all_secrets = (*account.secrets, *secrets)
    return Notice(
        account=account.name,
        provider=account.provider,
        rule=rule.name,
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
