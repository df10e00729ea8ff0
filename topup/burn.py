"""Burn rate and runway from balance history. Pure functions, ``Decimal`` throughout, no I/O.

Spend is the sum of the *decreases* between consecutive known balances in the window, divided
by the time the window's known points cover. Top-ups (increases) are not negative spend, so a
top-up in the middle of a window neither hides nor inflates the spend around it.

Example::

    est = estimate(store.balance_history("work", now - timedelta(days=7)), now=now)
    if est.runway_days is not None:
        print(f"{est.spend_per_day} {est.currency}/day, runs out {est.runs_out_at:%Y-%m-%d}")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Protocol

DEFAULT_WINDOW = timedelta(days=7)
#: Less history than this gives no estimate: a rate over minutes is noise.
DEFAULT_MIN_SPAN = timedelta(hours=1)

_DAY_SECONDS = Decimal(86400)


class PointLike(Protocol):
    """A balance observation; :class:`topup.storage.BalancePoint` is one, so is :class:`Sample`."""

    @property
    def at(self) -> datetime: ...
    @property
    def balance(self) -> Decimal | None: ...
    @property
    def unlimited(self) -> bool: ...
    @property
    def currency(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Sample:
    """A minimal balance observation."""

    at: datetime
    balance: Decimal | None
    unlimited: bool = False
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class BurnEstimate:
    """Spend per day, runway and the run-out time of one account, in ``currency``."""

    currency: str | None
    #: The latest known balance (``None`` if unknown or the key is unlimited).
    balance: Decimal | None
    #: Spend per day over the window, ``None`` when there is too little data.
    spend_per_day: Decimal | None
    #: Days until the balance reaches zero at that spend; ``0`` when already at or below zero,
    #: ``None`` when unlimited, nothing is spent, or spend is unknown.
    runway_days: Decimal | None
    runs_out_at: datetime | None
    #: Time of the latest known balance (runway counts from there).
    as_of: datetime | None
    #: The time the points used for the spend cover.
    span: timedelta
    unlimited: bool


def _micros(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _usable(points: Iterable[PointLike]) -> list[PointLike]:
    """Known, limited points in the latest currency, in time order."""
    ordered = sorted(points, key=lambda p: p.at)
    known = [p for p in ordered if p.balance is not None]
    if not known:
        return []
    currency = known[-1].currency
    return [
        p
        for p in known
        if not p.unlimited and (p.currency == currency or p.currency is None or currency is None)
    ]


def spend_per_day(
    points: Iterable[PointLike],
    *,
    window: timedelta = DEFAULT_WINDOW,
    now: datetime | None = None,
    min_span: timedelta = DEFAULT_MIN_SPAN,
) -> Decimal | None:
    """Spend per day over the ``window`` ending at ``now`` (default: the latest point).

    Decreases between consecutive known balances are summed (unknown points are skipped, so a
    decrease across them still counts); increases are top-ups and count as zero. Points of an
    unlimited key and points in an older currency are left out. Returns ``None`` with fewer
    than two usable points or when they cover less than ``min_span``.
    """
    usable = _usable(points)
    if not usable:
        return None
    end = now if now is not None else usable[-1].at
    start = end - window
    inside = [p for p in usable if start <= p.at <= end]
    if len(inside) < 2:
        return None
    span = inside[-1].at - inside[0].at
    if span < min_span or span <= timedelta(0):
        return None
    spent = Decimal(0)
    for before, after in pairwise(inside):
        assert before.balance is not None and after.balance is not None
        if after.balance < before.balance:
            spent += before.balance - after.balance
    # One division, so round spans give exact answers (8 over 6 h is exactly 32/day).
    return spent * _DAY_SECONDS * 1_000_000 / _micros(span)


def runway_days(balance: Decimal | None, spend: Decimal | None) -> Decimal | None:
    """Days ``balance`` lasts at ``spend`` per day: ``0`` if ``balance <= 0``; ``None`` when the
    balance or spend is unknown or nothing is spent."""
    if balance is None:
        return None
    if balance <= 0:
        return Decimal(0)
    if spend is None or spend <= 0:
        return None
    return balance / spend


def runs_out_at(as_of: datetime | None, runway: Decimal | None) -> datetime | None:
    """When a runway of ``runway`` days counted from ``as_of`` ends (``None`` if beyond 9999)."""
    if as_of is None or runway is None:
        return None
    try:
        micros = int((runway * _DAY_SECONDS * 1_000_000).to_integral_value())
        return as_of + timedelta(microseconds=micros)
    except OverflowError:
        return None


def estimate(
    points: Iterable[PointLike],
    *,
    window: timedelta = DEFAULT_WINDOW,
    now: datetime | None = None,
    min_span: timedelta = DEFAULT_MIN_SPAN,
) -> BurnEstimate:
    """Spend, runway and run-out time of one account's points (see :func:`spend_per_day`)."""
    pts = sorted(points, key=lambda p: p.at)
    latest_known = next((p for p in reversed(pts) if p.balance is not None or p.unlimited), None)
    unlimited = latest_known is not None and latest_known.unlimited
    usable = _usable(pts)
    end = now if now is not None else (usable[-1].at if usable else None)
    inside = [p for p in usable if end is not None and end - window <= p.at <= end]
    span = inside[-1].at - inside[0].at if len(inside) >= 2 else timedelta(0)
    spend = spend_per_day(usable, window=window, now=now, min_span=min_span)
    last = usable[-1] if usable else None
    balance = None if unlimited or last is None else last.balance
    runway = None if unlimited else runway_days(balance, spend)
    as_of = last.at if last is not None else None
    return BurnEstimate(
        currency=last.currency if last is not None else None,
        balance=balance,
        spend_per_day=spend,
        runway_days=runway,
        runs_out_at=runs_out_at(as_of, runway),
        as_of=as_of,
        span=span,
        unlimited=unlimited,
    )
