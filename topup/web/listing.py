"""Paging, sorting and filtering the accounts server-side (``/`` and ``/api/accounts``).

Query parameters: ``page`` (from 1), ``per_page``, ``sort`` (a key of :data:`SORTS`, ``-`` in
front for descending; ``attention``: the most urgent first, then the shortest runway;
``config``: the config's order), ``status`` (``ok``/``stale``/``failing``/``never``),
``provider``, ``tag``, ``attention`` (whether :mod:`topup.attention` finds a reason: failing,
exhausted, low, short runway, window nearly used, stale) and ``q`` (text in the name, provider
or tags). Without ``sort`` the API keeps the config's order and the overview page sorts by
attention. Totals and counts are always over every account, and also over the filtered set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends
from fastapi import Query as Param

from topup.web.account_view import AccountView, Total, totals
from topup.web.errors import BadParameter

MAX_PER_PAGE = 10_000
STATUSES = ("ok", "stale", "failing", "never")

_Key = Callable[[AccountView], Any]


def _amount(v: AccountView) -> Decimal | None:
    p = v.last_good
    return None if p is None or p.unlimited else p.balance


def _at(v: AccountView) -> datetime | None:
    return v.last_good_at


def _urgency(v: AccountView) -> tuple[int, bool, Decimal]:
    """The most urgent reason first; among equals the shortest runway (unknown after)."""
    runway = v.summary.runway_days
    return (v.attention.rank, runway is None, runway if runway is not None else Decimal(0))


#: Sort keys; unknown values sort last in both directions.
SORTS: dict[str, _Key] = {
    "name": lambda v: v.name,
    "provider": lambda v: (v.provider, v.name),
    "balance": _amount,
    "change_24h": lambda v: v.summary.change_24h,
    "change_7d": lambda v: v.summary.change_7d,
    "runway": lambda v: v.summary.runway_days,
    "spend": lambda v: v.summary.spend_per_day,
    "status": lambda v: STATUSES.index(v.kind),
    "last_good_at": _at,
    "attention": _urgency,
    "config": lambda v: 0,  # a stable sort: the config's order
}


@dataclass(frozen=True, slots=True)
class Query:
    page: int = 1
    per_page: int | None = None  # None: every account
    sort: str | None = None
    status: str | None = None
    provider: str | None = None
    tag: str | None = None
    attention: bool | None = None
    q: str | None = None

    @property
    def filtered(self) -> bool:
        return any(
            x is not None for x in (self.status, self.provider, self.tag, self.attention, self.q)
        )

    @property
    def plain(self) -> bool:
        """Every account in config order: the unpaged document (cacheable as a whole)."""
        return not self.filtered and self.sort is None and self.per_page is None

    def params(self, **changes: Any) -> str:
        """This query's URL parameters, with ``changes`` (for links that keep the view)."""
        q = replace(self, **changes)
        pairs = {
            "page": q.page if q.page != 1 else None,
            "per_page": q.per_page,
            "sort": q.sort,
            "status": q.status,
            "provider": q.provider,
            "tag": q.tag,
            "attention": None if q.attention is None else str(q.attention).lower(),
            "q": q.q,
        }
        return urlencode({k: v for k, v in pairs.items() if v is not None})


def params(
    page: int = Param(1, description="page number, from 1"),
    per_page: int | None = Param(None, description="accounts per page; absent: all"),
    sort: str | None = Param(
        None, description="attention, config, name, balance, runway, … (-: descending)"
    ),
    status: str | None = Param(None, description="ok, stale, failing or never"),
    provider: str | None = Param(None),
    tag: str | None = Param(None),
    attention: bool | None = Param(None, description="needs attention (topup.attention)"),
    q: str | None = Param(None, description="text in the name, provider or tags"),
) -> Query:
    """The query parameters of ``/`` and ``/api/accounts`` (a FastAPI dependency)."""
    return parse(
        page=page,
        per_page=per_page,
        sort=sort,
        status=status,
        provider=provider,
        tag=tag,
        attention=attention,
        q=q,
    )


#: A route parameter that is the request's listing query (``query: listing.Requested``).
Requested = Annotated[Query, Depends(params)]


def parse(
    *,
    page: int = 1,
    per_page: int | None = None,
    sort: str | None = None,
    status: str | None = None,
    provider: str | None = None,
    tag: str | None = None,
    attention: bool | None = None,
    q: str | None = None,
) -> Query:
    """Check the parameters; a bad one is a 422 that names it."""
    if page < 1:
        raise BadParameter("page", "page must be 1 or more")
    if per_page is not None and not 1 <= per_page <= MAX_PER_PAGE:
        raise BadParameter("per_page", f"per_page must be between 1 and {MAX_PER_PAGE}")
    if sort is not None and sort.lstrip("-") not in SORTS:
        raise BadParameter("sort", f"sort must be one of {', '.join(SORTS)} (- for descending)")
    if status is not None and status not in STATUSES:
        raise BadParameter("status", f"status must be one of {', '.join(STATUSES)}")
    text = q.strip() if q is not None else None
    return Query(
        page=page,
        per_page=per_page,
        sort=sort or None,
        status=status or None,
        provider=provider or None,
        tag=tag or None,
        attention=attention,
        q=text or None,
    )


@dataclass(frozen=True, slots=True)
class Page:
    query: Query
    views: list[AccountView]  # this page
    matched: int  # accounts the filters keep
    total: int  # every account
    pages: int
    counts: dict[str, int]  # by kind, over every account
    totals: list[Total]  # over every account
    unknown: int
    filtered_totals: list[Total]  # over the accounts the filters keep
    filtered_unknown: int


def _keep(v: AccountView, query: Query) -> bool:
    if query.status is not None and v.kind != query.status:
        return False
    if query.provider is not None and v.provider != query.provider:
        return False
    if query.tag is not None and query.tag not in v.account.tags:
        return False
    if query.attention is not None and v.attention.needed != query.attention:
        return False
    if query.q is not None:
        text = query.q.casefold()
        hay = (v.name, v.provider, *v.account.tags)
        return any(text in h.casefold() for h in hay)
    return True


def ordered(views: list[AccountView], sort: str | None) -> list[AccountView]:
    if sort is None or sort == "config":
        return views
    if sort == "-config":
        return views[::-1]
    key = SORTS[sort.lstrip("-")]
    desc = sort.startswith("-")
    known = [(k, v) for v in views if (k := key(v)) is not None]
    unknown = [v for v in views if key(v) is None]
    known.sort(key=lambda kv: kv[0], reverse=desc)
    return [v for _, v in known] + unknown


def select(views: Sequence[AccountView], query: Query) -> Page:
    every = list(views)
    sums, unknown = totals(every)
    kept = [v for v in every if _keep(v, query)] if query.filtered else every
    fsums, funknown = totals(kept) if query.filtered else (sums, unknown)
    kept = ordered(kept, query.sort)
    size = query.per_page or max(1, len(kept))
    pages = max(1, -(-len(kept) // size))
    start = (query.page - 1) * size
    return Page(
        query=query,
        views=kept[start : start + size],
        matched=len(kept),
        total=len(every),
        pages=pages,
        counts={k: sum(1 for v in every if v.kind == k) for k in STATUSES},
        totals=sums,
        unknown=unknown,
        filtered_totals=fsums,
        filtered_unknown=funknown,
    )
