"""The conditions: what one check says about each rule.

Each rule looks at one :class:`~topup.model.CheckResult` (and the runway, and the count of
failed checks in a row) and answers :data:`FIRE` (the condition holds), :data:`CLEAR` (it is
over, past any hysteresis) or :data:`HOLD` (unknown, or inside the hysteresis band: keep the
current state). Unknown is never zero: a failed check holds ``below``, never fires or clears it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

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


class Verdict(enum.Enum):
    FIRE = "fire"
    CLEAR = "clear"
    HOLD = "hold"


FIRE, CLEAR, HOLD = Verdict.FIRE, Verdict.CLEAR, Verdict.HOLD

#: Failed checks that count towards ``failures`` (a retired endpoint has its own rule).
_FAILURE_STATUSES = frozenset(
    s for s in Status if not s.checked and s is not Status.ENDPOINT_RETIRED
)


@dataclass(frozen=True, slots=True)
class Inputs:
    result: CheckResult
    rules: AccountRules
    runway_days: Decimal | None = None
    spend_per_day: Decimal | None = None
    #: Failed checks in a row, this one included.
    failures: int = 0


def count_failures(previous: int, result: CheckResult) -> int:
    """Failed checks in a row after ``result``."""
    if result.status.checked:
        return 0
    if result.status in _FAILURE_STATUSES:
        return previous + 1
    return previous


def evaluate(rule: str, inputs: Inputs) -> Verdict:
    return _RULES[rule](inputs)


def _below(i: Inputs) -> Verdict:
    r, threshold = i.result, i.rules.below
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


def _runway(i: Inputs) -> Verdict:
    days = i.rules.runway_days
    if days is None or not i.result.status.checked:
        return HOLD
    if i.result.unlimited:
        return CLEAR
    runway = i.runway_days
    if runway is None:
        # No runway: unknown, unless nothing is being spent (then it is endless).
        if i.spend_per_day is not None and i.spend_per_day <= 0:
            return CLEAR
        return HOLD
    if runway < days:
        return FIRE
    if runway >= i.rules.hysteresis.clear_days(days):
        return CLEAR
    return HOLD


def _failures(i: Inputs) -> Verdict:
    limit = i.rules.failures
    if limit is None:
        return HOLD
    if i.result.status.checked:
        return CLEAR
    if i.failures >= limit:
        return FIRE
    return HOLD


def _expiring(i: Inputs) -> Verdict:
    days = i.rules.expiring_days
    r = i.result
    if days is None or not r.status.checked:
        return HOLD
    if r.expires_at is None:
        return CLEAR
    left = r.expires_at - r.checked_at
    if left < timedelta(seconds=int(days * 86400)):
        return FIRE
    return CLEAR


def _status_rule(status: Status) -> Callable[[Inputs], Verdict]:
    """Fires while checks answer ``status``; clears on an answer that is not ``status``."""

    def rule(i: Inputs) -> Verdict:
        s = i.result.status
        if s is status:
            return FIRE
        # ENDPOINT_RETIRED clears only when the platform answers again; failures hold.
        return CLEAR if s.checked else HOLD

    return rule


_RULES: dict[str, Callable[[Inputs], Verdict]] = {
    BELOW: _below,
    RUNWAY: _runway,
    FAILURES: _failures,
    EXPIRING: _expiring,
    EXHAUSTED: _status_rule(Status.EXHAUSTED),
    DISABLED: _status_rule(Status.DISABLED),
    ENDPOINT_RETIRED: _status_rule(Status.ENDPOINT_RETIRED),
}
