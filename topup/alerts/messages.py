"""The texts: which account, what is left, the runway, the rule, and what to do.

:func:`compose` lays out every notice the same way; what is particular to a rule (its
headline, the rule itself, what to do, what a recovery says, its severity) comes from its
:class:`~topup.alerts.rule.Rule` object, which builds those parts with the helpers here.

Every text is scrubbed of the account's credentials before it leaves (and built from fields that
hold none: names, amounts, statuses, the platform's site without user info or query).

Texts are in the language given to :func:`compose` (the watcher's ``[ui] lang``, else the
environment's: :func:`language_of`); a status is named for a person (:func:`status`, the value
follows in the "last check" line); amounts and currency codes are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from topup import i18n
from topup.account import Account
from topup.alerts.engine import RuleState
from topup.attention import status_label
from topup.i18n import _, ngettext
from topup.model import CheckResult, Status
from topup.platforms import get_provider
from topup.secrets import Secret, scrub

if TYPE_CHECKING:
    from topup.alerts.rule import Rule
    from topup.alerts.settings import AccountRules
    from topup.config import Config

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
    n = int(shown) if shown == shown.to_integral_value() else 2  # 1.5 days: the plural
    return ngettext("{n} day", "{n} days", n).format(n=f"{shown.normalize():f}")


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
        return _("unlimited")
    if r.status.checked and r.balance is not None:
        return money(r.balance, r.currency)
    lg = f.last_good
    if lg is not None and (lg.balance is not None or lg.unlimited):
        amount = _("unlimited") if lg.unlimited else money(lg.balance or Decimal(0), lg.currency)
        return _("unknown now; last seen {amount} at {at}").format(amount=amount, at=when(lg.at))
    return _("unknown")


def runway(f: Facts) -> str:
    if f.result.status.checked and f.result.unlimited:
        return _("no limit")
    spend = ""
    if f.spend_per_day is not None:
        spend = _(" (spending {amount}/day)").format(amount=money(f.spend_per_day, currency(f)))
    if f.runway_days is not None:
        return _("about {days}{spend}").format(days=days(f.runway_days), spend=spend)
    if f.spend_per_day is not None and f.spend_per_day <= 0:
        return _("no recent spending")
    if not f.result.status.checked:
        return _("unknown (the check failed)")
    if f.result.balance is None:
        return _("unknown (no balance to count down)")
    return _("unknown (not enough history yet)")


def when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def at_site(f: Facts) -> str:
    """`` at <where to top up>``, or nothing when the site is unknown."""
    where = site(f.account, f.rules)
    return _(" at {site}").format(site=where) if where else ""


def status(s: Status) -> str:
    """What a status is called for a person (translated), e.g. ``key rejected``."""
    return status_label(s)


def _status_line(r: CheckResult) -> str:
    """The last check for a person: its status's name, the status value when that differs
    (what JSON, CSV and metrics say), and the platform's message."""
    name = status(r.status)
    if name == r.status.value:
        text = name
    else:
        text = _("{status} ({value})").format(status=name, value=r.status.value)
    if r.message:
        text = _("{status}: {message}").format(status=text, message=r.message)
    return text


def language_of(config: Config) -> str:
    """The language of alerts: ``[ui] lang``, else the environment's (``$TOPUP_LANG``, the
    locale), else English."""
    return i18n.choose(None, config.settings.ui.lang)


def compose(
    rule: Rule[Any],
    kind: Kind,
    f: Facts,
    secrets: tuple[Secret, ...] = (),
    *,
    language: str | None = None,
) -> Notice:
    """The title and body of a ``fired`` or ``recovered`` notice of ``rule``, in ``language``
    (None: the current one, :func:`topup.i18n.current`)."""
    with i18n.use(language or i18n.current()):
        title, body, severity = _texts(rule, kind, f)
    account = f.account
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


def _texts(rule: Rule[Any], kind: Kind, f: Facts) -> tuple[str, str, str]:
    account = f.account
    lines = [
        _("Account: {name} ({platform})").format(name=account.name, platform=platform(account))
    ]
    if kind == "recovered":
        what = rule.recovered(f)
        title = _("topup: {name} recovered: {what}").format(name=account.name, what=what)
        lines.append(_("Cleared: {rule}: {what}").format(rule=rule.describe(f), what=what))
        lines.append(_("Left: {left}").format(left=left(f)))
        lines.append(_("Runway: {runway}").format(runway=runway(f)))
        severity = "success"
    else:
        title = _("topup: {name} {headline}").format(name=account.name, headline=rule.headline(f))
        lines.append(_("Left: {left}").format(left=left(f)))
        lines.append(_("Runway: {runway}").format(runway=runway(f)))
        lines.append(_("Rule: {rule}").format(rule=rule.describe(f)))
        if not f.result.status.checked or f.result.status is not Status.OK:
            lines.append(_("Last check: {status}").format(status=_status_line(f.result)))
        lines.append(_("What to do: {todo}").format(todo=rule.todo(f)))
        severity = rule.severity
    lines.append(_("Checked: {at}").format(at=when(f.result.checked_at)))
    return title, "\n".join(lines), severity


def make_test_notice(now: datetime, *, language: str | None = None) -> Notice:
    with i18n.use(language or i18n.current()):
        title = _("topup: test alert")
        body = _(
            "This is a test message from `topup alerts test`: this channel receives topup's "
            "balance alerts. Nothing needs doing."
        )
    return Notice(
        account="",
        provider="",
        rule="test",
        kind="test",
        title=title,
        body=body,
        at=now,
        severity="info",
    )
