"""The HTML pages: the overview of every account, one account's page and the login form.

Each page is rendered in the request's language (:mod:`topup.web.language`) through the
``web`` catalog: templates use ``{{ _("...") }}`` and ``{% trans %}`` (Jinja's i18n extension
with :func:`topup.i18n.gettext`/:func:`~topup.i18n.ngettext` installed, new style).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import cookie_parser
from starlette.types import Scope

from topup import attention, i18n
from topup.serialize import iso
from topup.web import charts, errors, fmt, language, listing
from topup.web.auth import COOKIE
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
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "vary": "Accept-Language, Cookie",
}
#: Rows of the check history table on an account page (the newest).
CHECK_ROWS = 200
#: Accounts per overview page unless ``?per_page=`` says otherwise.
PER_PAGE = 100
#: The overview's order unless ``?sort=`` says otherwise.
DEFAULT_SORT = "attention"
#: The app's ``state`` attribute holding ``[ui] lang`` (set by :func:`topup.web.create_app`).
SETTING = "lang"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.globals.update(
        money=fmt.money,
        signed_money=fmt.signed_money,
        age=fmt.age,
        days=fmt.days,
        short_date=fmt.short_date,
        iso=iso,
        need_label=attention.label,
        runway_warning=attention.RUNWAY_WARNING_DAYS,
        gauge=charts.gauge,
        status_label=attention.status_label,
    )
    return env


_ENV: list[Environment] = []


def _env() -> Environment:
    if not _ENV:
        _ENV.append(environment())
    return _ENV[0]


def render_html(name: str, lang: str, now: datetime, switch: str, **context: Any) -> str:
    """Template ``name`` in ``lang``."""
    with i18n.use(lang):
        return (
            _env()
            .get_template(name)
            .render(
                now=now,
                lang=lang,
                html_lang=language.tag(lang),
                other_lang=language.other(lang),
                switch_url=switch,
                **context,
            )
        )


def login_html(lang: str, now: datetime, *, wrong: bool, next_url: str, switch: str) -> str:
    """The login form (:class:`topup.web.auth.TokenAuth` serves it)."""
    return render_html("login.html", lang, now, switch, wrong=wrong, next_url=next_url)


def error_html(
    lang: str,
    now: datetime,
    code: int,
    *,
    title: str,
    explanation: str,
    switch: str,
    back: bool = True,
    details: Sequence[str] = (),
    **context: Any,
) -> str:
    """The error page (:mod:`topup.web.errors`): ``title`` and ``explanation`` are English
    messages, translated here."""
    return render_html(
        "error.html",
        lang,
        now,
        switch,
        code=code,
        title=title,
        explanation=explanation,
        back=back,
        details=list(details),
        **context,
    )


def lang_for(scope: Scope) -> str:
    """The language of a request seen as its ASGI ``scope`` (as :func:`router`'s pages)."""
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    app = scope.get("app")
    cookies = cookie_parser(_header(scope, b"cookie") or "")
    return language.choose(
        dict(parse_qsl(query)).get("lang"),
        cookies.get(language.COOKIE),
        getattr(getattr(app, "state", None), SETTING, None),
        _header(scope, b"accept-language"),
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def router(board: Board, documents: Documents | None = None) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    docs = documents or Documents(board)

    def lang_of(request: Request) -> str:
        return language.choose(
            request.query_params.get("lang"),
            request.cookies.get(language.COOKIE),
            getattr(request.app.state, SETTING, None),
            request.headers.get("accept-language"),
        )

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = lang_of(request)
        other = language.other(lang)
        switch = language.switch_url(request.url.path, str(request.url.query), other)
        logged_in = COOKIE in request.cookies
        html = render_html(name, lang, board.now(), switch, logged_in=logged_in, **context)
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        if i18n.normalize(request.query_params.get("lang")):  # remembered
            secure = request.url.scheme == "https"
            response.headers.append("set-cookie", language.cookie(lang, secure=secure))
        return response

    @pages.get("/", response_class=HTMLResponse)
    def overview(request: Request, query: listing.Requested) -> HTMLResponse:
        if query.per_page is None:  # the page shows PER_PAGE accounts unless told otherwise
            query = replace(query, per_page=PER_PAGE)
        if query.sort is None:  # the accounts that need attention first
            query = replace(query, sort=DEFAULT_SORT)
        result = docs.page(query)
        now = board.now()
        return render(
            request,
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
            per_page_default=PER_PAGE,
        )

    @pages.get("/accounts/{name}", response_class=HTMLResponse)
    def account(request: Request, name: str, range: str = Query("7d")) -> HTMLResponse:
        view = board.view(name)
        if view is None:
            return render(
                request,
                "error.html",
                status=404,
                code=404,
                title=errors.TITLES[404],
                explanation=errors.EXPLANATIONS[404],
                back=True,
                details=[],
                account=repr(name),
            )
        if range not in RANGES:
            range = "7d"
        now = board.now()
        start = now - RANGES[range]
        points = board.store.balance_history(name, start)
        good = usable(points)
        last = view.last_good
        unlimited = last is not None and last.unlimited
        currency = good[-1].currency if good else view.currency
        if unlimited and last is not None:
            currency = last.currency
        with i18n.use(lang_of(request)):
            if unlimited:  # no balance: its usage (money used, else requests)
                mine = [p for p in points if p.unlimited and p.currency == currency]
                used = [(max(p.at, start), p.used) for p in mine if p.used is not None]
                counts = [
                    (max(p.at, start), p.request_count) for p in mine if p.request_count is not None
                ]
                usage = used or [(at, Decimal(n)) for at, n in counts]
                unit = currency if used else i18n.gettext("requests")
                chart = charts.line_chart(
                    usage,
                    start,
                    now,
                    currency=unit,
                    what=i18n.gettext("usage over time"),
                    empty=i18n.gettext("No usage recorded in this range."),
                )
                history_points = len(usage)
            else:
                series = [(max(p.at, start), p.balance) for p in good if p.balance is not None]
                chart = charts.line_chart(series, start, now, currency=currency)
                history_points = len(series)
            spend = [(d, v) for d, v in daily_spend(points) if d >= start - timedelta(days=1)]
            bars = charts.bar_chart(spend, currency=currency)
        checks = board.store.check_history(name, start, CHECK_ROWS)
        alerts = board.store.alert_history(name, start)
        return render(
            request,
            "account.html",
            v=view,
            range=range,
            ranges=list(RANGES),
            chart=chart,
            unlimited=unlimited,
            history_points=history_points,
            bars=bars,
            spend=list(reversed(spend)),
            currency=currency,
            checks=list(reversed(checks)),
            alerts=list(reversed(alerts)),
        )

    return pages
