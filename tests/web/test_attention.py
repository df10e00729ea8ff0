"""What needs attention, as ``/api/accounts`` and ``/metrics`` show it (one decision per account,
:mod:`topup.attention`), against a real uvicorn server over a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from topup.account import Account
from topup.model import CheckResult, Status
from topup.storage import Store, sqlite_url
from topup.web import create_app

from .support import ok, serving
from .test_metrics import labels, samples


def accounts() -> list[Account]:
    def acct(name: str, **kw: Any) -> Account:
        return Account(name=name, provider="newapi", base_url="https://relay.example.com", **kw)

    return [
        acct("poor", min_balance=Decimal("10")),  # 4 left: low
        acct("rich", min_balance=Decimal("10")),  # 50 left
        acct("broken", min_balance=Decimal("10")),  # failing, its last good value 3 left
        acct("flaky"),  # failing after a good check a minute earlier
        acct("empty"),  # exhausted: cannot be used until someone pays
    ]


def seed(store: Store, now: datetime) -> None:
    before = now - timedelta(minutes=2)
    failing = CheckResult.failure
    results = [
        ok("poor", "newapi", before, "4"),
        ok("rich", "newapi", before, "50"),
        ok("broken", "newapi", before, "3"),
        failing("broken", "newapi", Status.AUTH_ERROR, "401", checked_at=now),
        ok("flaky", "newapi", before, "80"),
        failing("flaky", "newapi", Status.UNREACHABLE, "refused", checked_at=now),
        CheckResult(
            account="empty",
            provider="newapi",
            status=Status.EXHAUSTED,
            currency="USD",
            balance=Decimal("0"),
            checked_at=now,
        ),
    ]
    store.record([(r, "fp") for r in results])


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("attention")
    store = Store.open(sqlite_url(tmp / "topup.db"))
    seed(store, datetime.now(UTC))

    async def check_now(names: list[str] | None) -> list[CheckResult]:
        return []

    app = create_app(store=store, accounts=accounts(), check_now=check_now)
    try:
        with serving(app) as url:
            yield url
    finally:
        store.close()


def test_api_marks_low_and_failing_accounts(url: str) -> None:
    rows = {a["account"]: a for a in httpx.get(f"{url}/api/accounts").json()["accounts"]}
    assert rows["poor"]["low"] is True and rows["poor"]["attention"] == ["low"]
    assert rows["rich"]["low"] is False and rows["rich"]["attention"] == []
    assert rows["flaky"]["low"] is False and rows["flaky"]["attention"] == ["failing"]
    # Failing, with its last good value below the minimum: low from that value.
    assert rows["broken"]["low"] is True
    assert rows["broken"]["attention"] == ["failing", "low"]
    assert rows["empty"]["low"] is True and rows["empty"]["attention"][0] == "exhausted"
    one = httpx.get(f"{url}/api/accounts/poor").json()
    assert one["low"] is True and one["attention"] == ["low"]


def test_metrics_carry_low_and_attention(url: str) -> None:
    s = samples(httpx.get(f"{url}/metrics").text)
    low = {name: s[("topup_low", labels(name, "newapi", "USD"))] for name in ("poor", "rich")}
    assert low == {"poor": 1.0, "rich": 0.0}
    assert s[("topup_low", labels("broken", "newapi", "USD"))] == 1.0
    assert s[("topup_low", labels("flaky", "newapi", "USD"))] == 0.0
    needs = {
        name: s[("topup_attention", labels(name, "newapi", "USD"))]
        for name in ("poor", "rich", "flaky", "empty")
    }
    assert needs == {"poor": 1.0, "rich": 0.0, "flaky": 1.0, "empty": 1.0}
