"""Checks written into a real history database, for the tests of the commands that read it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from topup.model import CheckResult, Status, utcnow
from topup.storage import Store


def record(
    store: Store,
    name: str,
    balance: str | None,
    currency: str = "USD",
    *,
    status: Status = Status.OK,
    at: datetime | None = None,
) -> None:
    """One check of ``name`` (a newapi account) a minute ago unless ``at``: good with
    ``balance`` in ``currency``, or a failure when ``status`` is not a checked one."""
    at = at or utcnow() - timedelta(minutes=1)
    if status.checked:
        result = CheckResult(
            account=name,
            provider="newapi",
            status=status,
            currency=currency,
            balance=None if balance is None else Decimal(balance),
            checked_at=at,
        )
    else:
        result = CheckResult.failure(name, "newapi", status, "connection refused", checked_at=at)
    store.record([(result, "fp-" + name)])
