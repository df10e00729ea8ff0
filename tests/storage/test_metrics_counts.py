"""The /metrics check counter counts a check that commits after a higher id (two writers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from topup.model import CheckResult, Status
from topup.storage import Store
from topup.storage.schema import checks
from topup.web.metrics import CheckCounts

from .conftest import PgSchema, postgres_base_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    schema = PgSchema(postgres_base_url())
    try:
        yield schema.url
    finally:
        schema.drop()


@pytest.mark.postgres
def test_a_late_committing_check_is_still_counted(pg_url: str) -> None:
    store, other = Store.open(pg_url), Store.open(pg_url)
    now = datetime.now(UTC)

    def result(minutes: int) -> tuple[CheckResult, str | None]:
        at = now - timedelta(minutes=minutes)
        ok = CheckResult(
            "a", "newapi", Status.OK, currency="USD", balance=Decimal(1), checked_at=at
        )
        return ok, None

    try:
        store.record([result(10)])
        counts = CheckCounts(store)
        assert counts.read() == {("a", "ok"): 1}
        with other.engine.connect() as conn:  # writer B: a check row with id N, not committed
            tx = conn.begin()
            aid = conn.execute(select(func.min(checks.c.account_id))).scalar()
            conn.execute(checks.insert().values(account_id=aid, checked_at=now, status="ok"))
            store.record([result(4)])  # writer A commits id N+1
            assert counts.read() == {("a", "ok"): 2}
            tx.commit()  # B commits id N
        assert counts.read() == {("a", "ok"): 3}
        assert counts.read() == {("a", "ok"): 3}  # and never twice
    finally:
        store.close()
        other.close()
