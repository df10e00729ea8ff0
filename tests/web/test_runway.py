"""The dashboard's runway: none for a key that became unlimited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from topup.storage import BalancePoint
from topup.web.views import summarize

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def point(hours_ago: int, balance: str | None, *, unlimited: bool = False) -> BalancePoint:
    return BalancePoint(
        account="k",
        at=NOW - timedelta(hours=hours_ago),
        currency="USD",
        balance=None if balance is None else Decimal(balance),
        granted=None,
        paid=None,
        used=None,
        unlimited=unlimited,
        request_count=None,
        expires_at=None,
    )


def test_a_key_that_became_unlimited_has_no_runway() -> None:
    points = [point(48, "100"), point(24, "80"), point(12, "60"), point(1, None, unlimited=True)]
    summary = summarize(points, NOW)
    assert summary.runway_days is None and summary.runs_out_at is None
    limited = summarize(points[:-1], NOW)
    assert limited.runway_days is not None  # the same history, still limited: it has one
