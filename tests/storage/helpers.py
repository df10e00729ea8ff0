"""Result builders shared by the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from topup.model import CheckResult, Status

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def ok(
    account: str,
    balance: str | None,
    minutes: float = 0,
    *,
    currency: str = "USD",
    provider: str = "siliconflow",
    **kw: Any,
) -> CheckResult:
    """A good check ``minutes`` after T0."""
    return CheckResult(
        account=account,
        provider=provider,
        status=Status.OK,
        currency=currency,
        balance=None if balance is None else Decimal(balance),
        checked_at=T0 + timedelta(minutes=minutes),
        **kw,
    )


def failed(account: str, minutes: float = 0, status: Status = Status.UNREACHABLE) -> CheckResult:
    return CheckResult.failure(
        account,
        "siliconflow",
        status,
        "connection refused",
        checked_at=T0 + timedelta(minutes=minutes),
    )
