"""One account as the dashboard, the API and ``/metrics`` show it, and the totals.

:class:`AccountView` is one account's latest state (its last check and last good value), its
7-day summary (:mod:`topup.web.trends`), whether its value is stale and what needs attention
(decided once, :func:`attention_of`); :func:`totals` sums the last good balances per currency.
The index that builds the views and keeps them current is :class:`topup.web.views.Board`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from topup.account import Account
from topup.attention import Attention, assess
from topup.model import RESULT_FIELDS, Amounts, CheckResult, Status
from topup.serialize import amounts_dict, iso, result_dict
from topup.storage import AccountState, BalancePoint, CheckRecord
from topup.web.trends import PENDING, Summary, _dec, _q

Kind = Literal["ok", "stale", "failing", "never"]


def point_dict(point: BalancePoint) -> dict[str, Any]:
    return {"at": iso(point.at), **amounts_dict(point)}


def last_result(account: Account, state: AccountState | None) -> CheckResult | None:
    """The account's last check as a :class:`CheckResult` (amounts only when it was good)."""
    if state is None or state.last_check is None:
        return None
    check = state.last_check
    point = state.last_good if check.status.checked else None
    if point is not None and point.at > check.checked_at:
        point = None
    amounts = Amounts() if point is None else point
    return CheckResult(
        account=account.name,
        provider=state.account.provider or account.provider,
        status=check.status,
        checked_at=check.checked_at,
        message=check.message,
        duration=check.duration,
        **amounts.amount_values(),
    )


@dataclass(frozen=True)
class AccountView:
    """One account as the dashboard and the API show it.

    ``attention`` is decided once, when the view is built (:func:`attention_of`); the last
    check as a :class:`CheckResult` (:attr:`result`) only when something asks for it (a page
    shows a hundred of ten thousand accounts).
    """

    account: Account
    state: AccountState | None
    summary: Summary
    stale: bool
    now: datetime
    attention: Attention

    @cached_property
    def result(self) -> CheckResult | None:
        return last_result(self.account, self.state)

    @property
    def last_check(self) -> CheckRecord | None:
        return None if self.state is None else self.state.last_check

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def provider(self) -> str:
        return self.account.provider

    @property
    def last_good(self) -> BalancePoint | None:
        return None if self.state is None else self.state.last_good

    @property
    def last_good_at(self) -> datetime | None:
        return None if self.state is None else self.state.last_good_at

    @property
    def age(self) -> timedelta | None:
        at = self.last_good_at
        return None if at is None else self.now - at

    @property
    def check_age(self) -> timedelta | None:
        check = self.last_check
        return None if check is None else self.now - check.checked_at

    @property
    def currency(self) -> str | None:
        point = self.last_good
        return point.currency if point is not None else self.account.currency

    @property
    def pending(self) -> bool:
        """The 7-day summary is still being computed (its values are unknown, not zero)."""
        return self.summary is PENDING

    @property
    def kind(self) -> Kind:
        check = self.last_check
        if check is None:
            return "never"
        if check.status is not Status.OK:
            return "failing"
        return "stale" if self.stale else "ok"

    def as_json(self) -> dict[str, Any]:
        """The last result in the ``topup check --json`` shape, plus the dashboard's keys.

        An account never checked has ``status`` and ``checked_at`` null (and no amounts).
        """
        if self.result is not None:
            out = result_dict(self.result)
        else:
            out = {name: None for name in RESULT_FIELDS}
            out.update(account=self.name, provider=self.provider, unlimited=False)
        s = self.summary
        out.update(
            last_good=None if self.last_good is None else point_dict(self.last_good),
            last_good_at=None if self.last_good_at is None else iso(self.last_good_at),
            spend_per_day=_dec(_q(s.spend_per_day, "0.000001")),
            runway_days=_dec(_q(s.runway_days, "0.01")),
            runs_out_at=None if s.runs_out_at is None else iso(s.runs_out_at),
            change_24h=_dec(s.change_24h),
            change_7d=_dec(s.change_7d),
            stale=self.stale,
            tags=list(self.account.tags),
            low=self.attention.low,
            attention=self.attention.names(),
        )
        if self.pending:
            out["summary_pending"] = True
        return out


def attention_of(
    account: Account, state: AccountState | None, summary: Summary, *, stale: bool
) -> Attention:
    """What needs attention (:func:`topup.attention.assess`): the last check's status, the
    last good value (for a failing account too), the runway and the ``stale`` flag (also set
    for an account without any good value, never checked included)."""
    check = None if state is None else state.last_check
    return assess(
        account,
        None if check is None else check.status,
        None if state is None else state.last_good,
        runway_days=summary.runway_days,
        stale=stale,
    )


@dataclass(frozen=True, slots=True)
class Total:
    currency: str
    balance: Decimal
    accounts: int


def totals(views: Iterable[AccountView]) -> tuple[list[Total], int]:
    """Sum of the last good balances per currency (every currency an account holds), and how
    many accounts are unknown.

    Unlimited keys, window-only plans and accounts without a known value are not counted (never
    as zero); the last two count as unknown only when nothing at all is known.
    """
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    unknown = 0
    for v in views:
        p = v.last_good
        entries = () if p is None else p.counted()
        if not entries:
            if p is None or not (p.unlimited or p.windows):
                unknown += 1
            continue
        for e in entries:
            assert e.balance is not None
            sums[e.currency] += e.balance
            counts[e.currency] += 1
    return [Total(c, sums[c], counts[c]) for c in sorted(sums)], unknown
