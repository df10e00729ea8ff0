"""Summaries, daily spend, charts, formatting; the pages' language and what their rows show."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from topup.model import AMOUNT_FIELDS, Amounts, CheckResult, Status
from topup.storage import AccountState, BalancePoint, CheckRecord, Store, StoredAccount, sqlite_url
from topup.web import account_view, charts, create_app, fmt, pages, views
from topup.web.views import Board, daily_spend, summarize

from .support import Server, make_accounts, serving

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
    assert list(account_view.point_dict(p)) == ["at", *AMOUNT_FIELDS]
    assert account_view.point_dict(p)["balance"] == "1.50"
    check = CheckRecord("a", NOW + timedelta(minutes=1), Status.OK, None, 0.1)
    state = AccountState(StoredAccount("a", "newapi", None, "EUR", NOW, NOW), check, p, NOW)
    account = make_accounts()[0]
    result = account_view.last_result(account, state)
    assert result is not None and result.amounts() == p.amounts()
    failed = AccountState(state.account, replace(check, status=Status.UNREACHABLE), p, NOW)
    result = account_view.last_result(account, failed)
    assert result is not None and result.amounts() == Amounts()  # a failed check: no amounts


def test_the_page_speaks_the_browsers_language(open_server: Server) -> None:
    with open_server.client() as c:
        zh = c.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
        en = c.get("/", headers={"Accept-Language": "fr-FR,en;q=0.5"}).text
        account = c.get("/accounts/alpha", headers={"Accept-Language": "zh"}).text
    assert '<html lang="zh-CN">' in zh and "立即检查" in zh and "余额" in zh
    assert "108.00 CNY" in zh  # amounts keep their currency
    assert '<html lang="en">' in en and "Check now" in en and "立即检查" not in en
    assert "每日消耗" in account and re.search(r">\d+月\d+日<", account)  # dated axis too
    assert 'hreflang="en"' in zh and 'hreflang="zh-CN"' in en  # the switch offers the other


def test_lang_in_the_url_wins_and_is_remembered(open_server: Server) -> None:
    with httpx.Client(base_url=open_server.url, headers={"Accept-Language": "en"}) as c:
        first = c.get("/", params={"lang": "zh-CN", "status": "ok"})
        assert '<html lang="zh-CN">' in first.text
        assert "topup_lang=zh-CN" in first.headers["set-cookie"]
        assert "HttpOnly" in first.headers["set-cookie"]
        assert 'href="/?status=ok&amp;lang=en"' in first.text  # the switch keeps the view
        later = c.get("/accounts/alpha")  # no ?lang=: the cookie decides
        assert '<html lang="zh-CN">' in later.text
        back = c.get("/", params={"lang": "en"})
        assert '<html lang="en">' in back.text and "topup_lang=en" in back.headers["set-cookie"]


def test_the_configured_language_comes_before_the_browsers(tmp_path: Path) -> None:
    store = Store.open(sqlite_url(tmp_path / "t.db"))
    try:
        app = create_app(store=store, accounts=make_accounts(), check_now=_no_check, lang="zh_CN")
        with serving(app) as url, httpx.Client(base_url=url) as c:
            configured = c.get("/", headers={"Accept-Language": "en-US"}).text
            asked = c.get("/", params={"lang": "en"}).text
    finally:
        store.close()
    assert '<html lang="zh-CN">' in configured and "尚未检查" in configured
    assert '<html lang="en">' in asked


async def _no_check(names: list[str] | None) -> list[CheckResult]:
    return []


def test_negative_changes_are_coloured_and_carry_their_currency(open_server: Server) -> None:
    with open_server.client() as c:
        html = c.get("/", params={"sort": "config"}).text
    alpha = html.split('data-account="alpha"')[1].split("</tr>")[0]
    assert re.search(r'class="delta negative">-[\d.,]+ CNY<', alpha)
    bravo = html.split('data-account="bravo"')[1].split("</tr>")[0]
    assert re.search(r'class="delta negative">-[\d.,]+ USD<', bravo)
    assert 'class="runway-value medium"' in bravo  # about 14 days left


@pytest.mark.parametrize(
    ("days", "kind"), [("1.8", "short"), ("6.9", "short"), ("13", "medium"), ("45", "long")]
)
def test_a_short_runway_looks_different_from_a_long_one(days: str, kind: str) -> None:
    env = pages.environment()
    template = env.from_string('{% from "_status.html" import runway %}{{ runway(v) }}')
    view = SimpleNamespace(summary=SimpleNamespace(runway_days=Decimal(days)))
    assert f'class="runway-value {kind}"' in template.render(v=view)


def test_an_unlimited_key_shows_its_usage_not_an_empty_balance_chart(open_server: Server) -> None:
    with open_server.client() as c:
        html = c.get("/accounts/unlim").text
    assert "No balance history" not in html
    assert 'aria-label="usage over time"' in html and 'data-value="12.5"' in html
    assert "12.50 USD used" in html
