"""The dashboard's index follows the store: checks written by anyone show at the next request,
and many summaries are computed in the background while the previous ones are served."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from topup.account import Account
from topup.model import CheckResult, Status, utcnow
from topup.storage import Store, sqlite_url
from topup.web import views
from topup.web.views import Board


def record(store: Store, names: list[str], balance: str, hours_ago: float) -> None:
    at = utcnow() - timedelta(hours=hours_ago)
    store.record(
        [
            (
                CheckResult(
                    account=n,
                    provider="siliconflow",
                    status=Status.OK,
                    currency="USD",
                    balance=Decimal(balance),
                    checked_at=at,
                ),
                "fp",
            )
            for n in names
        ]
    )


def test_a_check_written_by_another_process_shows_at_the_next_request(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "h.db")
    with Store.open(url) as store, Store.open(url) as other:
        record(store, ["a", "b"], "100", hours_ago=30)
        board = Board(store, [Account(name=n, provider="siliconflow") for n in "abc"])
        before = {v.name: v for v in board.views()}
        assert before["c"].kind == "never" and before["a"].summary.change_24h == 0
        version = board.version
        board.views()
        assert board.version == version  # nothing written: nothing recomputed

        record(other, ["a", "c"], "90", hours_ago=0)  # another writer, same database
        after = {v.name: v for v in board.views()}
        assert board.version > version
        assert after["a"].last_good is not None and after["a"].last_good.balance == 90
        assert after["a"].summary.change_24h == Decimal(-10)
        assert after["c"].kind == "ok"
        assert after["b"].summary == before["b"].summary


def test_many_summaries_are_pending_then_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "BACKGROUND_THRESHOLD", 3)
    names = [f"acct-{i}" for i in range(4)]
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:
        record(store, names, "100", hours_ago=30)
        record(store, names, "90", hours_ago=2)
        board = Board(store, [Account(name=n, provider="siliconflow") for n in names])
        first = board.views()
        assert all(v.summary.change_24h is None for v in first)  # unknown, never zero
        assert all(v.as_json().get("summary_pending") for v in first if v.pending)
        assert board.wait(10)
        known = {v.name: v.summary for v in board.views()}
        assert all(s.change_24h == Decimal(-10) for s in known.values())

        record(store, names, "50", hours_ago=0)  # a watcher round changes every account
        served = board.views()  # answered at once: new values, previous summaries meanwhile
        assert all(v.last_good is not None and v.last_good.balance == 50 for v in served)
        assert board.wait(10)
        fresh = {v.name: v.summary for v in board.views()}
        assert all(s.change_24h == Decimal(-50) for s in fresh.values())
