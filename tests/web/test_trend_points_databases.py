"""The dashboard's lean history rows (:meth:`Store.trend_points`, read straight from the DB-API
cursor through each column type's conversion) equal the stored points on SQLite and on
PostgreSQL: aware UTC datetimes, exact decimals with their scale, booleans."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from storage.conftest import PgSchema, postgres_base_url

from topup.model import CheckResult, Status
from topup.storage import Store, sqlite_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store.open(sqlite_url(tmp_path_factory.mktemp("db") / "topup.db"))
        yield s
        s.close()
        return
    schema = PgSchema(postgres_base_url())
    try:
        s = Store.open(schema.url)
        yield s
        s.close()
    finally:
        schema.drop()


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
