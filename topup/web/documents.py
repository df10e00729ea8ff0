"""``/api/accounts`` served from a cache: the index's views, totals and each account's JSON are
kept until :attr:`Board.version` moves or an account's ``stale`` flag flips with the clock, so a
request is a lookup and a join of ready-made fragments, not a rebuild of every account. The
pages asked for (filtered, sorted, paged) are kept too, the last :data:`PAGES` of them."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from topup.serialize import decimal_str, iso
from topup.web.account_view import AccountView, Total
from topup.web.listing import Page, Query, select
from topup.web.views import Board

#: Pages (query results and their JSON) kept per snapshot.
PAGES = 64


def dumps(value: Any) -> str:
    """JSON exactly as :class:`fastapi.responses.JSONResponse` writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def totals_json(sums: list[Total]) -> list[dict[str, Any]]:
    return [
        {"currency": t.currency, "balance": decimal_str(t.balance), "accounts": t.accounts}
        for t in sums
    ]


class Fragments:
    """Each account's JSON, kept across snapshots while the view shows the same objects (the
    index replaces an account's state or summary only when it changes): after a watcher round
    that changed a few accounts, only theirs are serialised again."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[tuple[object, ...], str]] = {}

    def get(self, view: AccountView) -> str:
        key = (view.account, view.state, view.summary, view.stale)
        found = self._kept.get(view.name)
        if found is not None and all(a is b for a, b in zip(found[0], key, strict=True)):
            return found[1]
        text = dumps(view.as_json())
        self._kept[view.name] = (key, text)
        return text


@dataclass
class Snapshot:
    version: int
    until: datetime | None  # the next stale flip
    views: list[AccountView]
    everything: Page
    fragments: Fragments = field(default_factory=Fragments)
    full: bytes | None = None
    pages: dict[Query, Page] = field(default_factory=dict)
    bodies: dict[Query, str] = field(default_factory=dict)

    def page(self, query: Query) -> Page:
        """The accounts ``query`` asks for (kept: the same page again is a lookup)."""
        if query.plain:
            return self.everything
        found = self.pages.get(query)
        if found is None:
            if len(self.pages) >= PAGES:
                self.pages.clear()
                self.bodies.clear()
            found = self.pages[query] = select(self.views, query)
        return found

    def fragment(self, view: AccountView) -> str:
        return self.fragments.get(view)


class Documents:
    def __init__(self, board: Board) -> None:
        self.board = board
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._fragments = Fragments()

    def snapshot(self) -> Snapshot:
        board = self.board
        board.sync()
        now = board.now()
        with self._lock:
            snap = self._snapshot
            if (
                snap is not None
                and snap.version == board.version
                and (snap.until is None or now < snap.until)
            ):
                return snap
        version = board.version
        views = board.views()
        everything = select(views, Query())
        snap = Snapshot(version, board.stale_flips(now), views, everything, self._fragments)
        with self._lock:
            self._snapshot = snap
        return snap

    def served(self) -> None:
        """A document was answered (the background work of the start may begin)."""
        self.board.first_served.set()

    def page(self, query: Query) -> Page:
        page = self.snapshot().page(query)
        self.served()
        return page

    def accounts(self, query: Query) -> bytes:
        """The ``/api/accounts`` document: every account (no parameters) or one page."""
        snap = self.snapshot()
        stamp = dumps(iso(self.board.now()))
        if query.plain:
            if snap.full is None:
                body = ",".join(snap.fragment(v) for v in snap.views)
                tail = self._tail(snap.everything, paged=False)
                snap.full = f'"accounts":[{body}],{tail}}}'.encode()
            self.served()
            return b'{"generated_at":' + stamp.encode() + b"," + snap.full
        text = snap.bodies.get(query)
        if text is None:
            page = snap.page(query)
            body = ",".join(snap.fragment(v) for v in page.views)
            text = snap.bodies[query] = f'"accounts":[{body}],{self._tail(page, paged=True)}}}'
        self.served()
        return f'{{"generated_at":{stamp},{text}'.encode()

    @staticmethod
    def _tail(page: Page, *, paged: bool) -> str:
        extra: dict[str, Any] = {
            "totals": totals_json(page.totals),
            "unknown": page.unknown,
            "counts": page.counts,
            "total_accounts": page.total,
        }
        if paged:
            extra.update(
                page=page.query.page,
                per_page=page.query.per_page,
                pages=page.pages,
                matched=page.matched,
                filtered_totals=totals_json(page.filtered_totals),
                filtered_unknown=page.filtered_unknown,
            )
        return dumps(extra)[1:-1]
