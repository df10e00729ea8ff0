"""What needs someone's attention, decided once for every output.

An account needs attention when it is failing (its last check did not reach its state), when it
cannot be used until someone pays or acts (exhausted, disabled), when it is **low** (its balance
is below its ``min_balance``), when its runway is shorter than the warning, when a quota window is
nearly used, or when its last good value is stale. The CLI table, ``--json``/``--csv``, the REST
API, the dashboard (badge, order, filter), ``/metrics`` (``topup_low``) and ``topup status`` all
ask :func:`assess`, so they never disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from topup.account import Account
from topup.i18n import N_, gettext
from topup.model import Amounts, CheckResult, Status

#: Runway (days) under which an account needs attention.
RUNWAY_WARNING_DAYS = Decimal(7)
#: Share left (percent) of a quota window under which it is nearly used.
WINDOW_WARNING_PERCENT = Decimal(10)
#: Without a per-account ``interval``, a last good value older than this is stale.
DEFAULT_STALE_AFTER = timedelta(hours=2)
#: With one, a value is stale after this many intervals without a good check (at least 5 min).
STALE_INTERVALS = 3
MIN_STALE_AFTER = timedelta(minutes=5)


def stale_after(account: Account) -> timedelta:
    """How old the account's last good value may be before it is stale."""
    if account.interval:
        return max(timedelta(seconds=account.interval * STALE_INTERVALS), MIN_STALE_AFTER)
    return DEFAULT_STALE_AFTER


class Need(enum.StrEnum):
    """Why an account needs attention, most urgent first. The values are part of the stable
    JSON/CSV interface (the ``attention`` field)."""

    FAILING = "failing"
    EXHAUSTED = "exhausted"
    LOW = "low"
    RUNWAY = "runway"
    WINDOW = "window"
    STALE = "stale"


_LABELS = {
    Need.FAILING: N_("failing"),
    Need.EXHAUSTED: N_("exhausted"),
    Need.LOW: N_("low"),
    Need.RUNWAY: N_("runs out soon"),
    Need.WINDOW: N_("quota window nearly used"),
    Need.STALE: N_("stale"),
}


def label(need: Need) -> str:
    """What a reason is called in the reader's language."""
    return gettext(_LABELS[need])


_STATUS_LABELS = {
    Status.OK: N_("ok"),
    Status.AUTH_ERROR: N_("key rejected"),
    Status.EXHAUSTED: N_("exhausted"),
    Status.RATE_LIMITED: N_("rate limited"),
    Status.UNAVAILABLE: N_("unavailable"),
    Status.UNREACHABLE: N_("unreachable"),
    Status.ENDPOINT_RETIRED: N_("endpoint retired"),
    Status.BAD_RESPONSE: N_("bad answer"),
    Status.DISABLED: N_("disabled"),
    Status.CONFIG_ERROR: N_("config error"),
}


def status_label(status: Status) -> str:
    """What a status is called for a person, in the reader's language (the status values
    themselves, ``ok``, ``auth_error``..., stay as they are in JSON, CSV and metrics)."""
    return gettext(_STATUS_LABELS[status])


@dataclass(frozen=True, slots=True)
class Attention:
    """The reasons an account needs attention (none: it does not)."""

    reasons: tuple[Need, ...] = ()

    @property
    def needed(self) -> bool:
        return bool(self.reasons)

    @property
    def low(self) -> bool:
        """Below its ``min_balance``, or unusable until someone pays (exhausted, disabled)."""
        return Need.LOW in self.reasons or Need.EXHAUSTED in self.reasons

    @property
    def rank(self) -> int:
        """Sort key: the most urgent reason first (0), accounts needing nothing last."""
        return min((list(Need).index(r) for r in self.reasons), default=len(Need))

    def names(self) -> list[str]:
        return [str(r) for r in self.reasons]


NOTHING = Attention()


def below_minimum(account: Account, amounts: Amounts | None) -> bool:
    """True when the account's balance is known and below its ``min_balance`` (unlimited keys and
    unknown balances are never low: unknown is not zero)."""
    if account.min_balance is None or amounts is None or amounts.unlimited:
        return False
    return amounts.balance is not None and amounts.balance < account.min_balance


def assess(
    account: Account,
    status: Status | None,
    amounts: Amounts | None,
    *,
    runway_days: Decimal | None = None,
    stale: bool = False,
) -> Attention:
    """Why ``account`` needs attention.

    ``status`` is its latest check's (None: never checked); ``amounts`` the latest known value
    (for a failing account, its last good value); ``runway_days`` its estimated runway, when
    known; ``stale`` whether its last good value is older than it should be.
    """
    reasons: list[Need] = []
    if status is not None and not status.checked:
        reasons.append(Need.FAILING)
    if status is not None and status.needs_money:
        reasons.append(Need.EXHAUSTED)
    if below_minimum(account, amounts):
        reasons.append(Need.LOW)
    if runway_days is not None and runway_days < RUNWAY_WARNING_DAYS:
        reasons.append(Need.RUNWAY)
    window = amounts.lowest_window() if amounts is not None else None
    left = window.left_percent if window is not None else None
    if left is not None and left < WINDOW_WARNING_PERCENT:
        reasons.append(Need.WINDOW)
    if stale and (amounts is not None or status is None):
        # a value grown old, or an account never checked; a failing account that never had a
        # value is failing, not stale
        reasons.append(Need.STALE)
    return Attention(tuple(reasons))


def marked(
    account: Account,
    result: CheckResult,
    *,
    amounts: Amounts | None = None,
    runway_days: Decimal | None = None,
    stale: bool = False,
) -> CheckResult:
    """``result`` with its ``low`` and ``attention`` fields set (see :func:`assess`).
    ``amounts``: the last good value when the result carries none (a failing check)."""
    found = assess(
        account,
        result.status,
        result if result.has_value else amounts,
        runway_days=runway_days,
        stale=stale,
    )
    return replace(result, low=found.low, attention=tuple(found.names()))
