"""The dashboard's lean history rows (:meth:`Store.trend_points`, read straight from the DB-API
cursor through each column type's conversion) equal the stored points on SQLite and on
PostgreSQL (the ``store`` fixture of this folder): aware UTC datetimes, exact decimals with
their scale, booleans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from topup.model import CheckResult, Status
from topup.storage import Store


def test_trend_rows_equal_the_stored_points(store: Store) -> None:
    now = datetime.now(UTC).replace(microsecond=123456)
    results = []
    for h in range(30, 0, -3):
        results.append(
            CheckResult(
                account="a",
                provider="newapi",
                status=Status.OK,
                currency="USD",
                balance=Decimal("100.000") - h,
                checked_at=now - timedelta(hours=h),
            )
        )
    results.append(
        CheckResult(
            account="u",
            provider="newapi",
            status=Status.OK,
            currency="USD",
            unlimited=True,
            used=Decimal("1.5"),
            checked_at=now,
        )
    )
    store.record([(r, "fp") for r in results])
    since = now - timedelta(hours=10)
    lean = dict(store.trend_points(since))
    for name in ("a", "u"):
        full = store.balance_history(name, since)
        assert lean[name] == [(p.at, p.currency, p.balance, p.unlimited) for p in full]
    first = lean["a"][0]
    assert first[0].tzinfo is UTC and str(first[2]) == "88.000"  # the prior point, its scale
    assert lean["u"][0][3] is True and lean["u"][0][2] is None
