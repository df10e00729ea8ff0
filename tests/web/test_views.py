"""Pure pieces: summaries, daily spend, charts, formatting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from topup.model import AMOUNT_FIELDS, Amounts, Status
from topup.storage import AccountState, BalancePoint, CheckRecord, StoredAccount
from topup.web import charts, fmt, views
from topup.web.views import Board, daily_spend, summarize

from .support import Server, make_accounts

NOW = datetime(2025, 6, 10, 12, tzinfo=UTC)


def point(hours_ago: float, balance: str | None, currency: str = "USD") -> BalancePoint:
    return BalancePoint(
        account="a",
        at=NOW - timedelta(hours=hours_ago),
        currency=currency,
        balance=None if balance is None else Decimal(balance),
        granted=None,
        paid=None,
        used=None,
        unlimited=False,
        request_count=None,
        expires_at=None,
    )


def test_summary_changes_and_runway() -> None:
    pts = [point(200, "100"), point(48, "90"), point(24, "80"), point(0, "70")]
    s = summarize(pts, NOW)
    assert s.change_24h == Decimal("-10")
    assert s.change_7d == Decimal("-30")
    assert s.spend_per_day is not None and s.runway_days is not None
    assert len(s.spark) == 4


def test_summary_unknown_is_not_zero() -> None:
    s = summarize([point(1, None)], NOW)
    assert s.change_24h is None and s.runway_days is None and s.spark == ()
    young = summarize([point(2, "10"), point(1, "9")], NOW)
    assert young.change_24h is None  # no value 24 h ago


def test_summary_uses_latest_currency() -> None:
    s = summarize([point(30, "500", "CNY"), point(20, "10"), point(0, "8")], NOW)
    assert s.change_24h is None  # the CNY value is not comparable
    assert [v for _, v in s.spark] == [Decimal("10"), Decimal("8")]


def test_daily_spend_ignores_top_ups() -> None:
    pts = [point(30, "10"), point(28, "8"), point(26, "20"), point(2, "15")]
    days = dict(daily_spend(pts))
    assert sum(days.values()) == Decimal("7")


def test_chart_has_one_vertex_per_point() -> None:
    series = [(NOW - timedelta(hours=h), Decimal(h)) for h in range(10, 0, -1)]
    svg = str(charts.line_chart(series, NOW - timedelta(hours=12), NOW))
    assert 'data-points="10"' in svg
    path = svg.split('class="line" d="')[1].split('"')[0]
    assert path.count("V") + 1 == 10
    assert str(charts.sparkline([], NOW, NOW)).endswith("</svg>")


def test_chart_downsamples_long_history() -> None:
    series = [(NOW - timedelta(minutes=m), Decimal(m % 7)) for m in range(20000, 0, -1)]
    svg = str(charts.line_chart(series, NOW - timedelta(days=14), NOW))
    drawn = int(svg.split('data-points="')[1].split('"')[0])
    assert drawn <= 4000
    assert 'data-history="20000"' in svg


def test_formatting() -> None:
    assert fmt.money(Decimal("1234.5"), "USD") == "1,234.50 USD"
    assert fmt.money(None) == "—"
    assert fmt.signed_money(Decimal("2")) == "+2.00"
    assert fmt.days(Decimal("3.14")) == "3.1 d"
    assert fmt.days(Decimal(0)) == "0 d"
    assert fmt.age(timedelta(hours=5)) == "5 h"


def test_bulk_points_match_balance_history(open_server: Server) -> None:
    store = open_server.store
    since = datetime.now(UTC) - timedelta(days=2)
    names = ["alpha", "bravo", "charlie", "delta", "echo", "unlim"]
    bulk = store.balance_histories(names, since)
    for name in names:
        assert bulk.get(name, []) == store.balance_history(name, since), name


def test_index_summaries_equal_summaries_of_the_stored_history(open_server: Server) -> None:
    store = open_server.store
    now = datetime.now(UTC)
    board = Board(store, make_accounts(), clock=lambda: now)
    background = Board(store, make_accounts(), clock=lambda: now)
    views.BACKGROUND_THRESHOLD, saved = 1, views.BACKGROUND_THRESHOLD
    try:
        background.views()
        assert background.wait(10)
    finally:
        views.BACKGROUND_THRESHOLD = saved
    direct = {v.name: v.summary for v in board.views()}
    assert {v.name: v.summary for v in background.views()} == direct
    for name, summary in direct.items():
        points = store.balance_history(name, now - views.WEEK)
        assert summary == summarize(points, now, spark=False), name


def test_lean_trend_points_match_the_stored_points(open_server: Server) -> None:
    store = open_server.store
    since = datetime.now(UTC) - timedelta(days=2)
    names = ["alpha", "bravo", "charlie", "delta", "echo", "unlim"]
    lean = dict(store.trend_points(since, names, per_query=2))
    for name in names:
        full = store.balance_history(name, since)
        assert lean.get(name, []) == [(p.at, p.currency, p.balance, p.unlimited) for p in full]
    assert [s.account.name for s in store.latest(["bravo", "nobody", "alpha"])] == [
        "alpha",
        "bravo",
    ]


def test_point_dict_and_last_result_carry_every_amount() -> None:
    p = BalancePoint(
        account="a",
        at=NOW,
        currency="EUR",
        balance=Decimal("1.50"),
        granted=Decimal(2),
        paid=Decimal(3),
        used=Decimal(4),
        unlimited=True,
        request_count=5,
        expires_at=NOW + timedelta(days=1),
    )
    assert list(views.point_dict(p)) == ["at", *AMOUNT_FIELDS]
    assert views.point_dict(p)["balance"] == "1.50"
    check = CheckRecord("a", NOW + timedelta(minutes=1), Status.OK, None, 0.1)
    state = AccountState(StoredAccount("a", "newapi", None, "EUR", NOW, NOW), check, p, NOW)
    account = make_accounts()[0]
    result = views.last_result(account, state)
    assert result is not None and result.amounts() == p.amounts()
    failed = AccountState(state.account, replace(check, status=Status.UNREACHABLE), p, NOW)
    result = views.last_result(account, failed)
    assert result is not None and result.amounts() == Amounts()  # a failed check: no amounts
