"""`Store.balance_histories` is `balance_history` of many accounts at once (both databases)."""

from __future__ import annotations

from datetime import timedelta

from topup.storage import Store

from .helpers import T0, failed, ok


def test_bulk_history_equals_one_by_one(store: Store) -> None:
    names = [f"acct-{i}" for i in range(7)]
    batch = []
    for i, name in enumerate(names[:6]):  # acct-6 has no history at all
        for minute in range(0, 600, 60):
            batch.append((ok(name, str(100 - minute // 60 - i), minute), "fp"))
    batch.append((failed("acct-5", 700), "fp"))
    store.record(batch)
    for since in (T0, T0 + timedelta(minutes=150), T0 + timedelta(days=1)):
        bulk = store.balance_histories(names, since)
        for name in names:
            assert bulk.get(name, []) == store.balance_history(name, since), (name, since)
    assert "acct-6" not in store.balance_histories(names, T0)
