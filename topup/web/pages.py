"""The HTML pages: the overview of every account and one account's page."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from topup.serialize import iso
from topup.web import charts, fmt, listing
from topup.web.documents import Documents
from topup.web.views import WEEK, Board, daily_spend, usable

HERE = Path(__file__).parent
RANGES: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
#: Every asset comes from the app itself: nothing loads from elsewhere.
HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
#: Rows of the check history table on an account page (the newest).
CHECK_ROWS = 200
#: Accounts per overview page unless ``?per_page=`` says otherwise.
PER_PAGE = 100


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        money=fmt.money,
        signed_money=fmt.signed_money,
        age=fmt.age,
        days=fmt.days,
        iso=iso,
        sparkline=charts.sparkline,
    )
    return env


def router(board: Board, documents: Documents | None = None) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    env = environment()
    docs = documents or Documents(board)

    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(now=board.now(), **context)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    @pages.get("/", response_class=HTMLResponse)
    def overview(query: listing.Requested) -> HTMLResponse:
        if query.per_page is None:  # the page shows PER_PAGE accounts unless told otherwise
            query = replace(query, per_page=PER_PAGE)
        result = docs.page(query)
        now = board.now()
        return render(
            "overview.html",
            views=result.views,
            listing=result,
            query=query,
            sorts=list(listing.SORTS),
            statuses=listing.STATUSES,
            providers=sorted({a.provider for a in board.accounts.values()}),
            tags=sorted({t for a in board.accounts.values() for t in a.tags}),
            pending=sum(1 for v in result.views if v.pending),
            totals=result.totals,
            unknown=result.unknown,
            spark_start=now - WEEK,
            counts=result.counts,
        )

    @pages.get("/accounts/{name}", response_class=HTMLResponse)
    def account(name: str, range: str = Query("7d")) -> HTMLResponse:
        view = board.view(name)
        if view is None:
            raise HTTPException(404, f"no account named {name!r}")
        if range not in RANGES:
            range = "7d"
        now = board.now()
        start = now - RANGES[range]
        points = board.store.balance_history(name, start)
        good = usable(points)
        series = [(max(p.at, start), p.balance) for p in good if p.balance is not None]
        currency = good[-1].currency if good else view.currency
        spend = [(d, v) for d, v in daily_spend(points) if d >= start - timedelta(days=1)]
        checks = board.store.check_history(name, start, CHECK_ROWS)
        alerts = board.store.alert_history(name, start)
        return render(
            "account.html",
            v=view,
            range=range,
            ranges=list(RANGES),
            chart=charts.line_chart(series, start, now, currency=currency),
            history_points=len(series),
            bars=charts.bar_chart(spend),
            spend=list(reversed(spend)),
            currency=currency,
            checks=list(reversed(checks)),
            alerts=list(reversed(alerts)),
        )

    return pages
