"""At the start, the background work (every 7-day summary) waits for the first page to be
served: the first visitor gets the latest states at once, the summaries follow."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from topup.account import Account
from topup.storage import Store, sqlite_url
from topup.web import views
from topup.web.documents import Documents
from topup.web.listing import Query
from topup.web.views import Board

from .test_revalidate import record


def test_summaries_start_once_the_first_page_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "BACKGROUND_THRESHOLD", 1)
    monkeypatch.setattr(views, "FIRST_PAGE_WAIT", 60.0)
    names = ["a", "b", "c"]
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:
        record(store, names, "100", hours_ago=30)
        record(store, names, "90", hours_ago=2)
        board = Board(store, [Account(name=n, provider="siliconflow") for n in names])
        docs = Documents(board)
        board.views()  # as `topup serve` warms the index when it starts
        worker = board._worker
        assert worker is not None and worker.is_alive()  # waiting for the first page
        assert not board.first_served.is_set()

        page = docs.page(Query(per_page=2))  # the first visitor: states now, summaries pending
        assert [v.last_good.balance for v in page.views if v.last_good] == [90, 90]
        assert all(v.pending for v in page.views)
        assert board.first_served.is_set()
        worker.join(30)
        assert not worker.is_alive()
        known = {v.name: v.summary.change_24h for v in docs.snapshot().views}
        assert known == {n: Decimal(-10) for n in names}
