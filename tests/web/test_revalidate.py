"""Many outdated summaries at once: the previous ones are served while a thread recomputes."""

from __future__ import annotations

import time
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


def test_outdated_summaries_are_served_then_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "BULK_THRESHOLD", 2)
    monkeypatch.setattr(views, "BACKGROUND_THRESHOLD", 3)
    names = [f"acct-{i}" for i in range(4)]
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:
        record(store, names, "100", hours_ago=30)
        record(store, names, "90", hours_ago=2)
        board = Board(store, [Account(name=n, provider="siliconflow") for n in names])
        first = {v.name: v.summary for v in board.views()}  # computed now: nothing cached

        record(store, names, "50", hours_ago=0)  # a watcher round changes every account
        served = {v.name: v.summary for v in board.views()}
        assert served == first  # answered at once with the previous summaries

        deadline = time.monotonic() + 10
        while board._worker is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        fresh = {v.name: v.summary for v in board.views()}
        assert fresh != first
        for name in names:
            assert fresh[name] != first[name]
        assert not board._revalidating
