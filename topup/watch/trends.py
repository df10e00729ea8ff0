"""Burn rate and runway of a stored account: :mod:`topup.burn` over :class:`Store` history."""

from __future__ import annotations

from datetime import datetime, timedelta

from topup.burn import DEFAULT_WINDOW, BurnEstimate, estimate
from topup.model import utcnow
from topup.storage import Store


def burn_of(
    store: Store, account: str, *, window: timedelta = DEFAULT_WINDOW, now: datetime | None = None
) -> BurnEstimate:
    """Spend per day and runway of ``account`` over ``window`` of its stored history."""
    now = now or utcnow()
    return estimate(store.balance_history(account, now - window), window=window, now=now)
