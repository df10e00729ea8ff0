"""The JSON API (``/api/...``), documented in ``/openapi.json``.

Results are exactly ``topup check --json``'s objects (:func:`topup.serialize.result_dict`);
accounts add the dashboard's keys (last good value and its time, spend, runway, staleness).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, create_model

from topup.config import parse_duration
from topup.model import AMOUNT_FIELDS, AMOUNT_TYPES, RESULT_FIELDS, CheckResult
from topup.serialize import iso, json_type, result_dict
from topup.web import listing
from topup.web.account_view import point_dict
from topup.web.documents import Documents
from topup.web.views import Board

CheckNow = Callable[[list[str] | None], Awaitable[list[CheckResult]]]

#: ``?since=`` without a value: the last 7 days. Longest relative range accepted: 400 days.
DEFAULT_SINCE = timedelta(days=7)
MAX_SINCE = timedelta(days=400)


# -- documentation models (responses are built as dicts; these describe them) ---------------


#: The fields of ``Result`` and ``Point`` that are not amounts.
_OWN_FIELDS: dict[str, Any] = {
    "account": (str, ...),
    "provider": (str, ...),
    "status": (str | None, Field(description="null only for an account never checked")),
    "checked_at": (str | None, ...),
    "message": (str | None, ...),
    "low": (bool | None, ...),
    "attention": (list[str] | None, ...),
    "at": (str, ...),
}


def _fields(names: Iterable[str]) -> dict[str, Any]:
    """Required fields, in order; amounts typed as :func:`topup.serialize.json_value` writes
    them (:class:`topup.model.Amounts` declares them)."""
    return {
        name: _OWN_FIELDS[name] if name in _OWN_FIELDS else (json_type(AMOUNT_TYPES[name]), ...)
        for name in names
    }


if TYPE_CHECKING:  # built from the model's fields below; to a type checker, plain models

    class Result(BaseModel): ...

    class Point(BaseModel): ...

else:
    Result = create_model(
        "Result",
        __doc__="One check, exactly as ``topup check --json`` prints it. Amounts are decimal "
        "strings.",
        __module__=__name__,
        **_fields(RESULT_FIELDS),
    )
    Point = create_model(
        "Point",
        __doc__="A stored balance point: the amounts a good check saw (held until the next point).",
        __module__=__name__,
        **_fields(("at", *AMOUNT_FIELDS)),
    )


class AccountOut(Result):
    last_good: Point | None = Field(description="the last value a good check saw")
    last_good_at: str | None = Field(description="time of the last good check")
    spend_per_day: str | None = Field(description="over the last 7 days; null if unknown")
    runway_days: str | None = Field(description="days until empty at that spend")
    runs_out_at: str | None
    change_24h: str | None
    change_7d: str | None
    stale: bool = Field(description="no good check within the allowed age")
    tags: list[str] = Field(default_factory=list, description="the account's tags")
    summary_pending: bool = Field(
        default=False, description="the 7-day values are still being computed (null meanwhile)"
    )


class Total(BaseModel):
    currency: str
    balance: str
    accounts: int


class AccountsOut(BaseModel):
    generated_at: str
    accounts: list[AccountOut]
    totals: list[Total]
    unknown: int = Field(description="accounts without a known balance (not in the totals)")
    counts: dict[str, int] = Field(description="accounts by status (ok, stale, failing, never)")
    total_accounts: int = Field(description="every account, whatever the filters")
    page: int | None = Field(default=None, description="with paging or filters only")
    per_page: int | None = None
    pages: int | None = None
    matched: int | None = Field(default=None, description="accounts the filters keep")
    filtered_totals: list[Total] | None = Field(
        default=None, description="the totals over the accounts the filters keep"
    )
    filtered_unknown: int | None = None


class CheckOut(BaseModel):
    checked_at: str
    message: str | None
    duration: float | None
    status: str


class AlertOut(BaseModel):
    at: str
    rule: str
    kind: str
    message: str | None


class HistoryOut(BaseModel):
    account: str
    since: str
    until: str
    points: list[Point]
    checks: list[CheckOut]
    alerts: list[AlertOut]


class CheckRequest(BaseModel):
    accounts: list[str] | None = Field(default=None, description="names; null or absent: all")


class ChecksOut(BaseModel):
    """The ``topup check --json`` document."""

    checked_at: str
    results: list[Result]


class Problem(BaseModel):
    detail: str


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}


def parse_since(value: str | None, now: datetime) -> datetime:
    """``7d``/``24h``/``90m``/seconds back from now, or an ISO 8601 time (UTC if no offset)."""
    if value is None or not value.strip():
        return now - DEFAULT_SINCE
    seconds = parse_duration(value)
    if seconds is not None:
        return now - timedelta(seconds=min(seconds, MAX_SINCE.total_seconds()))
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC)
    except (ValueError, OverflowError):
        raise HTTPException(
            422, "since must be a duration like 7d or 24h, or an ISO 8601 time"
        ) from None


def router(board: Board, check_now: CheckNow, documents: Documents | None = None) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["api"])
    lock = asyncio.Lock()
    documents = documents or Documents(board)

    def unknown(name: str) -> HTTPException:
        return HTTPException(404, f"no account named {name!r}")

    @api.get(
        "/accounts",
        response_model=AccountsOut,
        summary="Every account's latest state (or one page: filtered, sorted)",
    )
    def list_accounts(query: listing.Requested) -> Response:
        return Response(documents.accounts(query), media_type="application/json")

    @api.get(
        "/accounts/{name}",
        response_model=AccountOut,
        responses=NOT_FOUND,
        summary="One account's latest state",
    )
    def get_account(name: str) -> JSONResponse:
        view = board.view(name)
        if view is None:
            raise unknown(name)
        return JSONResponse(view.as_json())

    @api.get(
        "/accounts/{name}/history",
        response_model=HistoryOut,
        responses=NOT_FOUND,
        summary="Balance points, checks and alerts of one account",
    )
    def history(
        name: str,
        since: str | None = Query(None, description="7d, 24h, … or an ISO 8601 time"),
        limit: int = Query(1000, ge=1, le=100_000, description="newest checks kept"),
    ) -> JSONResponse:
        if name not in board.accounts:
            raise unknown(name)
        now = board.now()
        start = parse_since(since, now)
        points = board.store.balance_history(name, start)
        checks = board.store.check_history(name, start, limit)
        alerts = board.store.alert_history(name, start)
        return JSONResponse(
            {
                "account": name,
                "since": iso(start),
                "until": iso(now),
                "points": [point_dict(p) for p in points],
                "checks": [
                    {
                        "checked_at": iso(c.checked_at),
                        "status": c.status.value,
                        "message": c.message,
                        "duration": c.duration,
                    }
                    for c in checks
                ],
                "alerts": [
                    {"at": iso(a.at), "rule": a.rule, "kind": a.kind, "message": a.message}
                    for a in alerts
                ],
            }
        )

    @api.post(
        "/check",
        response_model=ChecksOut,
        responses=NOT_FOUND,
        summary="Check accounts now (all, or the named ones) and record the results",
    )
    async def check(request: CheckRequest | None = None) -> JSONResponse:
        names = None if request is None else request.accounts
        if names is not None:
            missing = [n for n in names if n not in board.accounts]
            if missing:
                raise unknown(missing[0])
        async with lock:
            results = await check_now(names)
        return JSONResponse(
            {"checked_at": iso(board.now()), "results": [result_dict(r) for r in results]}
        )

    return api
