"""A batch of late results (e.g. history imported after live checks) keeps points exact."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from topup.model import CheckResult, Status, utcnow
from topup.storage import Store, sqlite_url


def result(at_hours_ago: float, balance: str, now: object) -> CheckResult:
    assert hasattr(now, "tzinfo")
    return CheckResult(
        account="a",
        provider="siliconflow",
        status=Status.OK,
        currency="USD",
        balance=Decimal(balance),
        checked_at=now - timedelta(hours=at_hours_ago),  # type: ignore[operator]
    )


def test_a_late_batch_writes_one_exact_point_per_change(tmp_path: object) -> None:
    now = utcnow()
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:  # type: ignore[operator]
        store.record([(result(0, "10", now), "fp")])  # the live check first
        late = [(result(h, str(10 + h), now), "fp") for h in range(48, 0, -1)]
        store.record(late)  # then 48 hours of older results, in one batch
        points = store.balance_history("a")
    times = [p.at for p in points]
    assert len(times) == len(set(times)), "two points at the same time"
    assert times == sorted(times)
    seen = {p.at: p.balance for p in points}
    for h in range(48, 0, -1):  # every check's value is the point in effect at its time
        assert seen[now - timedelta(hours=h)] == Decimal(10 + h)
    assert points[-1].balance == Decimal(10)
    assert len(points) == 49
