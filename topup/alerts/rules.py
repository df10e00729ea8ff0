"""Every alert rule, one object each, and :data:`RULES`, the tuple everything else iterates.

Each rule looks at one :class:`~topup.model.CheckResult` (and the runway, and its own state)
and answers :data:`~.engine.FIRE` (the condition holds), :data:`~.engine.CLEAR` (it is over,
past any hysteresis) or :data:`~.engine.HOLD` (unknown, or inside the hysteresis band: keep the
current state). Unknown is never zero: a failed check holds ``below``, never fires or clears it.

To add a rule: write one :class:`~.rule.Rule` subclass here and add its instance to
:data:`RULES`; its config key, messages and stored state follow from it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from topup.account import Account
from topup.alerts.engine import CLEAR, FIRE, HOLD, RuleState, Verdict
from topup.alerts.located import Where
from topup.alerts.messages import (
    Facts,
    at_site,
    currency,
    days,
    left,
    money,
    runway,
    status,
    when,
)
from topup.alerts.rule import Inputs, Rule
from topup.alerts.values import amount, count, flag
from topup.i18n import _
from topup.model import CheckResult, Status

#: Failed checks that count towards ``failures`` (a retired endpoint has its own rule).
_FAILURE_STATUSES = frozenset(
    s for s in Status if not s.checked and s is not Status.ENDPOINT_RETIRED
)


def _top_up(f: Facts) -> str:
    return _("top up{at_site}.").format(at_site=at_site(f))


class Below(Rule[Decimal]):
    """The balance is below an amount (in the account's currency)."""

    name = "below"
    key = "below"

    def parse(self, value: Any, where: Where) -> Decimal | None:
        return amount(value, self.key, where, allow_off=True)

    def inherit(self, account: Account) -> Decimal | None:
        # Precedence: alerts.below, then min_balance, then [alerts] below.
        return account.min_balance

    def evaluate(self, i: Inputs, state: RuleState) -> Verdict:
        r, threshold = i.result, self.setting(i.rules)
        if threshold is None or not r.status.checked:
            return HOLD
        if r.unlimited:
            return CLEAR
        if r.balance is None:
            return HOLD
        if r.balance < threshold:
            return FIRE
        if r.balance >= i.rules.hysteresis.clear_level(threshold):
            return CLEAR
        return HOLD

    def describe(self, f: Facts) -> str:
        return _("balance below {amount}").format(
            amount=money(self.threshold(f.rules), currency(f))
        )

    def headline(self, f: Facts) -> str:
        return _("balance low: {left} left").format(left=left(f))

    def todo(self, f: Facts) -> str:
        return _top_up(f)

    def recovered(self, f: Facts) -> str:
        return _("balance back to {left}").format(left=left(f))


class Runway(Rule[Decimal]):
    """The runway (days until the balance runs out at the recent spend) is below N days."""

    name = "runway"
    key = "runway_days"

    def parse(self, value: Any, where: Where) -> Decimal | None:
        return amount(value, self.key, where, allow_off=True, positive=True)

    def evaluate(self, i: Inputs, state: RuleState) -> Verdict:
        limit = self.setting(i.rules)
        if limit is None or not i.result.status.checked:
            return HOLD
        if i.result.unlimited:
            return CLEAR
        if i.runway_days is None:
            # No runway: unknown, unless nothing is being spent (then it is endless).
            if i.spend_per_day is not None and i.spend_per_day <= 0:
                return CLEAR
            return HOLD
        if i.runway_days < limit:
            return FIRE
        if i.runway_days >= i.rules.hysteresis.clear_days(limit):
            return CLEAR
        return HOLD

    def describe(self, f: Facts) -> str:
        return _("runway below {days}").format(days=days(self.threshold(f.rules)))

    def headline(self, f: Facts) -> str:
        if f.runway_days is None:  # it fired on an earlier check; the body says why unknown
            return _("runs out soon")
        return _("runs out soon: about {days} left").format(days=days(f.runway_days))

    def todo(self, f: Facts) -> str:
        return _top_up(f)

    def recovered(self, f: Facts) -> str:
        if f.runway_days is None:  # unlimited, or nothing spent lately
            return _("runway back to normal ({runway})").format(runway=runway(f))
        return _("runway back to {runway}").format(runway=runway(f))


class Failures(Rule[int]):
    """Checks failed N times in a row; it counts them in its state, on or off."""

    name = "failures"
    key = "failures"
    default = 3

    def parse(self, value: Any, where: Where) -> int | None:
        return count(value, self.key, where)

    def track(self, state: RuleState, result: CheckResult) -> RuleState:
        if result.status.checked:
            failures = 0
        elif result.status in _FAILURE_STATUSES:
            failures = state.failures + 1
        else:
            failures = state.failures
        return replace(state, failures=failures)

    def evaluate(self, i: Inputs, state: RuleState) -> Verdict:
        limit = self.setting(i.rules)
        if limit is None:
            return HOLD
        if i.result.status.checked:
            return CLEAR
        if state.failures >= limit:
            return FIRE
        return HOLD

    def describe(self, f: Facts) -> str:
        return _("checks failing {n} times in a row").format(n=self.threshold(f.rules))

    def headline(self, f: Facts) -> str:
        return _("checks failing ({n} in a row, {status})").format(
            n=f.state.failures, status=status(f.result.status)
        )

    def todo(self, f: Facts) -> str:
        if f.result.status is Status.AUTH_ERROR:
            return _("replace the key: the platform no longer accepts it.")
        return _(
            "check the platform{at_site} and the account's settings; "
            "`topup check {account}` shows the error."
        ).format(at_site=at_site(f), account=f.account.name)

    def recovered(self, f: Facts) -> str:
        return _("checks succeed again ({status})").format(status=status(f.result.status))


class Expiring(Rule[Decimal]):
    """The key expires within N days."""

    name = "expiring"
    key = "expiring_days"
    default = Decimal(7)

    def parse(self, value: Any, where: Where) -> Decimal | None:
        return amount(value, self.key, where, allow_off=True, positive=True)

    def evaluate(self, i: Inputs, state: RuleState) -> Verdict:
        limit, r = self.setting(i.rules), i.result
        if limit is None or not r.status.checked:
            return HOLD
        if r.expires_at is None:
            return CLEAR
        if r.expires_at - r.checked_at < timedelta(seconds=int(limit * 86400)):
            return FIRE
        return CLEAR

    def describe(self, f: Facts) -> str:
        return _("key expiring within {days}").format(days=days(self.threshold(f.rules)))

    def headline(self, f: Facts) -> str:
        expires = f.result.expires_at
        return _("key expires {at}").format(at=when(expires)) if expires else _("key expiring")

    def todo(self, f: Facts) -> str:
        return _("replace the key before it expires, or extend it{at_site}.").format(
            at_site=at_site(f)
        )

    def recovered(self, f: Facts) -> str:
        expires = f.result.expires_at
        if expires:
            return _("key now expires {at}").format(at=when(expires))
        return _("key no longer expires")


class StatusRule(Rule[bool]):
    """Fires while checks answer :attr:`status`; on by default (``key = false``: off)."""

    status: Status
    default = True
    severity = "failure"

    def parse(self, value: Any, where: Where) -> bool:
        return flag(value, self.key, where)

    def evaluate(self, i: Inputs, state: RuleState) -> Verdict:
        s = i.result.status
        if s is self.status:
            return FIRE
        # ENDPOINT_RETIRED clears only when the platform answers again; failures hold.
        return CLEAR if s.checked else HOLD


class Exhausted(StatusRule):
    name = key = "exhausted"
    status = Status.EXHAUSTED

    def describe(self, f: Facts) -> str:
        return _("key or account exhausted")

    def headline(self, f: Facts) -> str:
        return _("exhausted: the platform refuses the key")

    def todo(self, f: Facts) -> str:
        return _top_up(f)

    def recovered(self, f: Facts) -> str:
        return _("no longer exhausted ({status})").format(status=status(f.result.status))


class Disabled(StatusRule):
    name = key = "disabled"
    status = Status.DISABLED

    def describe(self, f: Facts) -> str:
        return _("account or key disabled")

    def headline(self, f: Facts) -> str:
        return _("disabled by the platform")

    def todo(self, f: Facts) -> str:
        return _(
            "check the account{at_site}; re-enable it, or replace the key in the config."
        ).format(at_site=at_site(f))

    def recovered(self, f: Facts) -> str:
        return _("no longer disabled ({status})").format(status=status(f.result.status))


class EndpointRetired(StatusRule):
    name = key = "endpoint_retired"
    status = Status.ENDPOINT_RETIRED

    def describe(self, f: Facts) -> str:
        return _("endpoint retired")

    def headline(self, f: Facts) -> str:
        return _("the platform retired the balance endpoint")

    def todo(self, f: Facts) -> str:
        return _(
            "the platform retired this endpoint: update topup (`git pull` in its folder; the "
            "next `make demo` or `make test` installs what changed), or point the account's "
            "base_url at the platform's current API."
        )

    def recovered(self, f: Facts) -> str:
        return _("the balance endpoint answers again")


class WindowLow(Rule[Decimal]):
    """A quota window (a coding plan's 5h, weekly... window) has less than N% left."""

    name = "window"
    key = "window_below"

    def parse(self, value: Any, where: Where) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().removesuffix("%")
        number = amount(value, self.key, where, allow_off=True, positive=True)
        if number is not None and number > 100:
            raise where.error(self.key, f"{self.key} is a percentage, 0 to 100", 'e.g. "10%"')
        return number

    def evaluate(self, i: Inputs, state: RuleState) -> Verdict:
        threshold = self.setting(i.rules)
        lowest = i.result.lowest_window()
        if threshold is None or not i.result.status.checked or lowest is None:
            return HOLD
        left_percent = lowest.left_percent
        assert left_percent is not None
        if left_percent < threshold:
            return FIRE
        if left_percent >= i.rules.hysteresis.clear_level(threshold):
            return CLEAR
        return HOLD

    def describe(self, f: Facts) -> str:
        return _("a quota window below {percent}% left").format(
            percent=f"{self.threshold(f.rules).normalize():f}"
        )

    def headline(self, f: Facts) -> str:
        return _("quota nearly used: {windows}").format(windows=_window_text(f.result))

    def todo(self, f: Facts) -> str:
        lowest = f.result.lowest_window()
        if lowest is not None and lowest.resets_at is not None:
            return _("it resets at {at}; slow down or upgrade the plan.").format(
                at=when(lowest.resets_at)
            )
        return _("slow down or upgrade the plan.")

    def recovered(self, f: Facts) -> str:
        return _("quota windows back to {windows}").format(windows=_window_text(f.result))


def _window_text(result: CheckResult) -> str:
    lowest = result.lowest_window()
    if lowest is None or lowest.left_percent is None:
        return _("unknown")
    return _("{window} window {percent}% left").format(
        window=lowest.name, percent=lowest.left_percent.quantize(Decimal(1))
    )


BELOW = Below()
WINDOW = WindowLow()
RUNWAY = Runway()
FAILURES = Failures()
EXPIRING = Expiring()
EXHAUSTED = Exhausted()
DISABLED = Disabled()
ENDPOINT_RETIRED = EndpointRetired()

#: Every rule, in the order they are parsed, evaluated and notified on one check.
RULES: tuple[Rule[Any], ...] = (
    BELOW,
    RUNWAY,
    FAILURES,
    EXPIRING,
    EXHAUSTED,
    DISABLED,
    ENDPOINT_RETIRED,
    WINDOW,
)
