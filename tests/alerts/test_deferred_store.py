"""A watcher that starts while the database is down keeps alert state once it returns."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from topup.account import Account
from topup.alerts import AlertManager
from topup.config import parse
from topup.model import CheckResult, Status, utcnow
from topup.storage import DeferredStore, PendingWrites, StorageUnavailable, Store, sqlite_url


def test_alert_state_reaches_a_database_that_comes_back(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "h.db")
    down = {"value": True}

    def opener() -> Store:
        if down["value"]:
            raise StorageUnavailable("down (test)")
        return Store.open(url)

    pending = PendingWrites(opener)
    config = parse(
        '[alerts]\nbelow = "5"\n\n[[accounts]]\nname = "k"\nprovider = "siliconflow"\n'
        'api_key = "sk-deferred-0001"\n'
    )
    manager = AlertManager.from_config(config, DeferredStore(pending))
    account: Account = config.accounts[0]
    now = utcnow()

    def low(minutes: int) -> CheckResult:
        return CheckResult(
            account="k",
            provider="siliconflow",
            status=Status.OK,
            currency="USD",
            balance=Decimal("1"),
            checked_at=now + timedelta(minutes=minutes),
        )

    first = low(0)
    assert not pending.record([(first, account.fingerprint)])  # kept in memory
    assert manager.observe(account, first) == []  # its rules wait: the state cannot be read

    down["value"] = False
    second = low(1)
    assert pending.record([(second, account.fingerprint)])
    notices = manager.observe(account, second)
    assert [(n.rule, n.kind) for n in notices] == [("below", "fired")]
    store = pending.store
    assert store is not None
    state = store.get_alert_state("k", "below")
    assert state is not None and json.loads(state)["state"] == "fired"
    assert [a.kind for a in store.alert_history("k")] == ["fired"]
