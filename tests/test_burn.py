"""Burn rate and runway: known answers and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from topup.burn import Sample, estimate, runs_out_at, runway_days, spend_per_day

T0 = datetime(2025, 3, 1, tzinfo=UTC)
D = Decimal


def hourly(
    balances: list[str | None], *, step: timedelta = timedelta(hours=1), **kw: object
) -> list[Sample]:
    return [
        Sample(T0 + i * step, None if b is None else D(b), **kw)  # type: ignore[arg-type]
        for i, b in enumerate(balances)
    ]


def test_steady_spend() -> None:
    # 2 per hour for 24 hours: 48 per day.
    pts = [Sample(T0 + timedelta(hours=h), D(100) - 2 * h, currency="USD") for h in range(25)]
    assert spend_per_day(pts) == D(48)
    est = estimate(pts)
    assert est.balance == D(52) and est.currency == "USD"
    assert est.runway_days == D(52) / D(48)
    assert est.runs_out_at == T0 + timedelta(hours=24) + timedelta(hours=26)
    assert est.span == timedelta(hours=24)


def test_top_up_mid_window_is_not_negative_spend() -> None:
    # -1/h for 4h, +100 top-up, -1/h for 4h: 8 spent over 9 hours.
    pts = hourly(["10", "9", "8", "7", "6", "106", "105", "104", "103", "102"])
    assert spend_per_day(pts) == D(8) / (D(9) / 24)


def test_gaps_and_unknown_points() -> None:
    pts = [
        Sample(T0, D(10)),
        Sample(T0 + timedelta(hours=1), None),  # failed check: unknown, skipped
        Sample(T0 + timedelta(hours=30), D(7)),  # a 29-hour gap: decrease still counts
        Sample(T0 + timedelta(hours=48), D(4)),
    ]
    assert spend_per_day(pts) == D(6) / 2
    assert estimate(pts).runway_days == D(4) / 3


def test_negative_balance() -> None:
    pts = hourly(["1", "0", "-1", "-2"])
    assert spend_per_day(pts) == D(24)
    est = estimate(pts)
    assert est.balance == D(-2) and est.runway_days == 0
    assert est.runs_out_at == est.as_of


def test_unlimited_has_no_runway() -> None:
    est = estimate(hourly([None, None, None], unlimited=True))
    assert est.unlimited and est.runway_days is None and est.runs_out_at is None
    # A key that became unlimited: its limited past is not a runway.
    pts = [*hourly(["5", "4", "3"]), Sample(T0 + timedelta(hours=3), None, unlimited=True)]
    est = estimate(pts)
    assert est.unlimited and est.runway_days is None and est.balance is None


def test_no_spend() -> None:
    est = estimate(hourly(["5", "5", "5", "6"]))
    assert est.spend_per_day == 0 and est.runway_days is None and est.runs_out_at is None


def test_too_little_data() -> None:
    assert spend_per_day([]) is None
    assert spend_per_day([Sample(T0, D(1))]) is None
    assert spend_per_day(hourly(["2", "1"], step=timedelta(minutes=30))) is None
    assert spend_per_day(
        hourly(["2", "1"], step=timedelta(minutes=30)), min_span=timedelta(0)
    ) == D(48)
    est = estimate([Sample(T0, D(3))])
    assert est.balance == D(3) and est.spend_per_day is None and est.runway_days is None


def test_currency_change_uses_latest_currency_only() -> None:
    pts = [
        Sample(T0, D(1000), currency="CNY"),
        Sample(T0 + timedelta(hours=1), D(900), currency="CNY"),
        Sample(T0 + timedelta(hours=2), D(10), currency="USD"),
        Sample(T0 + timedelta(hours=4), D(9), currency="USD"),
    ]
    assert spend_per_day(pts) == D(12)
    assert estimate(pts).currency == "USD"


def test_window_excludes_old_points_and_now_extends_it() -> None:
    pts = [Sample(T0 + timedelta(days=d), D(100) - 10 * d) for d in range(10)]  # 10/day
    pts[1] = Sample(pts[1].at, D(0))  # a big drop 8 days before the end, outside 7 days
    assert spend_per_day(pts) == D(10)
    # With now far after the last point, nothing is left in the window.
    assert spend_per_day(pts, now=T0 + timedelta(days=30)) is None
    assert spend_per_day(pts, window=timedelta(days=2)) == D(10)


def test_runway_helpers() -> None:
    assert runway_days(None, D(1)) is None
    assert runway_days(D(5), None) is None
    assert runway_days(D(5), D(0)) is None
    assert runway_days(D(0), D(1)) == 0
    assert runway_days(D(5), D(2)) == D("2.5")
    assert runs_out_at(T0, D("1.5")) == T0 + timedelta(hours=36)
    assert runs_out_at(T0, D(10) ** 9) is None  # beyond datetime's range
    assert runs_out_at(None, D(1)) is None


amounts = st.decimals(
    min_value=-1000, max_value=10_000, places=6, allow_nan=False, allow_infinity=False
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 600), amounts), min_size=2, max_size=40),
    amounts,
)
def test_properties(steps: list[tuple[int, Decimal]], start: Decimal) -> None:
    pts = [Sample(T0, start)]
    for minutes, bal in steps:
        pts.append(Sample(pts[-1].at + timedelta(minutes=minutes), bal))
    spend = spend_per_day(pts, window=timedelta(days=365))
    span = pts[-1].at - pts[0].at
    if span < timedelta(hours=1):
        assert spend is None
        return
    assert spend is not None and spend >= 0
    # Spend never exceeds the sum of all drops; with no increase, it is exactly the net drop.
    drops = sum((max(D(0), a.balance - b.balance) for a, b in pairwise(pts)), D(0))  # type: ignore[operator]
    days = D(span.total_seconds()) / 86400
    assert abs(spend * days - drops) <= D("1e-18") * max(D(1), drops)
    # Adding a top-up at the end never changes the spend.
    topped = [*pts, Sample(pts[-1].at + timedelta(seconds=1), pts[-1].balance + 50)]  # type: ignore[operator]
    topped_spend = spend_per_day(topped, window=timedelta(days=365))
    assert topped_spend is not None and topped_spend <= spend
    est = estimate(pts, window=timedelta(days=365))
    if est.runway_days is not None:
        assert est.runway_days >= 0
        assert est.runway_days == (0 if pts[-1].balance <= 0 else pts[-1].balance / spend)  # type: ignore[operator]


@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=4), min_size=2, max_size=30))
def test_monotone_decreasing_spend_is_net_drop(values: list[Decimal]) -> None:
    values = sorted(values, reverse=True)
    pts = [Sample(T0 + timedelta(hours=i), v) for i, v in enumerate(values)]
    spend = spend_per_day(pts, window=timedelta(days=30))
    assert spend is not None
    assert abs(spend - (values[0] - values[-1]) * 24 / (len(values) - 1)) <= D("1e-20") * (
        1 + spend
    )
