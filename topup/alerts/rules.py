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
from topup.alerts.messages import Facts, at_site, currency, days, left, money, runway, when
from topup.alerts.rule import Inputs, Rule
from topup.alerts.values import amount, count, flag
from topup.model import CheckResult, Status

#: Failed checks that count towards ``failures`` (a retired endpoint has its own rule).
_FAILURE_STATUSES = frozenset(
    s for s in Status if not s.checked and s is not Status.ENDPOINT_RETIRED
)


def _top_up(f: Facts) -> str:
    return f"top up{at_site(f)}."


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
        return f"balance below {money(self.threshold(f.rules), currency(f))}"

    def headline(self, f: Facts) -> str:
        return f"balance low: {left(f)} left"

    def todo(self, f: Facts) -> str:
        return _top_up(f)

    def recovered(self, f: Facts) -> str:
        return f"balance back to {left(f)}"


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
        return f"runway below {days(self.threshold(f.rules))}"

    def headline(self, f: Facts) -> str:
        return f"runs out soon: {runway(f)} left"

    def todo(self, f: Facts) -> str:
        return _top_up(f)

    def recovered(self, f: Facts) -> str:
        return f"runway back to {runway(f)}"


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
        return f"checks failing {self.threshold(f.rules)} times in a row"

    def headline(self, f: Facts) -> str:
        return f"checks failing ({f.state.failures} in a row, {f.result.status.value})"

    def todo(self, f: Facts) -> str:
        if f.result.status is Status.AUTH_ERROR:
            return "replace the key: the platform no longer accepts it."
        return (
            f"check the platform{at_site(f)} and the account's settings; "
            f"`topup check {f.account.name}` shows the error."
        )

    def recovered(self, f: Facts) -> str:
        return f"checks succeed again ({f.result.status.value})"


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
        return f"key expiring within {days(self.threshold(f.rules))}"

    def headline(self, f: Facts) -> str:
        expires = f.result.expires_at
        return f"key expires {when(expires)}" if expires else "key expiring"

    def todo(self, f: Facts) -> str:
        return f"replace the key before it expires, or extend it{at_site(f)}."

    def recovered(self, f: Facts) -> str:
        expires = f.result.expires_at
        return f"key now expires {when(expires)}" if expires else "key no longer expires"


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
        return "key or account exhausted"

    def headline(self, f: Facts) -> str:
        return "exhausted: the platform refuses the key"

    def todo(self, f: Facts) -> str:
        return _top_up(f)

    def recovered(self, f: Facts) -> str:
        return f"no longer exhausted ({f.result.status.value})"


class Disabled(StatusRule):
    name = key = "disabled"
    status = Status.DISABLED

    def describe(self, f: Facts) -> str:
        return "account or key disabled"

    def headline(self, f: Facts) -> str:
        return "disabled by the platform"

    def todo(self, f: Facts) -> str:
        return f"check the account{at_site(f)}; re-enable it, or replace the key in the config."

    def recovered(self, f: Facts) -> str:
        return f"no longer disabled ({f.result.status.value})"


class EndpointRetired(StatusRule):
    name = key = "endpoint_retired"
    status = Status.ENDPOINT_RETIRED

    def describe(self, f: Facts) -> str:
        return "endpoint retired"

    def headline(self, f: Facts) -> str:
        return "the platform retired the balance endpoint"

    def todo(self, f: Facts) -> str:
        return (
            "the platform retired this endpoint; upgrade topup (pip install -U topup), "
            "or point the account's base_url at the platform's current API."
        )

    def recovered(self, f: Facts) -> str:
        return "the balance endpoint answers again"


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
        return f"a quota window below {self.threshold(f.rules).normalize():f}% left"

    def headline(self, f: Facts) -> str:
        return f"quota nearly used: {_window_text(f.result)}"

    def todo(self, f: Facts) -> str:
        lowest = f.result.lowest_window()
        if lowest is not None and lowest.resets_at is not None:
            return f"it resets at {when(lowest.resets_at)}; slow down or upgrade the plan."
        return "slow down or upgrade the plan."

    def recovered(self, f: Facts) -> str:
        return f"quota windows back to {_window_text(f.result)}"


def _window_text(result: CheckResult) -> str:
    lowest = result.lowest_window()
    if lowest is None or lowest.left_percent is None:
        return "unknown"
    return f"{lowest.name} window {lowest.left_percent.quantize(Decimal(1))}% left"


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
