"""The shared schedule's rules on the machine's PostgreSQL: claims are exclusive, expired leases
are taken over, a stored check sets its account due again in the same transaction, and alert
transitions shared by several workers are sent once."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alerts.helpers import RecordingNotifier, account_toml, config, ok
from polling import wait_for
from storage.conftest import PgSchema

from topup.account import Account
from topup.alerts import AlertManager
from topup.alerts import settings as alert_settings
from topup.errors import ConfigError
from topup.model import CheckResult
from topup.service import History, build, watch_options
from topup.storage import Store, sqlite_url
from topup.storage.leases import LeasedStore
from topup.watch.shared import SharedHistory, SharedSchedule


@pytest.fixture
def url(pg_schema: PgSchema) -> str:
    return pg_schema.url


@pytest.fixture
def base(url: str) -> Iterator[Store]:
    with Store.open(url) as store:
        yield store


def worker(store: Store, holder: str, lease: float = 30, every: float = 60) -> LeasedStore:
    return LeasedStore.over(store, holder=holder, lease=lease, due_in=lambda _: every)


def result(name: str, balance: str = "10") -> CheckResult:
    account = Account(name=name, provider="siliconflow", credentials={})
    return ok(account, balance, datetime.now(UTC))


@pytest.mark.postgres
def test_two_workers_claiming_at_once_never_get_the_same_account(base: Store) -> None:
    names = [f"acct{i:02}" for i in range(60)]
    a, b = worker(base, "a"), worker(Store.open(base.engine.url), "b")
    a.schedule(dict.fromkeys(names, 0.0))
    got: dict[str, list[str]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claim_all(store: LeasedStore) -> None:
        start.wait()
        while batch := store.claim(names, 7):
            got[store.holder] += batch

    threads = [threading.Thread(target=claim_all, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    b.close()
    assert not set(got["a"]) & set(got["b"])
    assert sorted(got["a"] + got["b"]) == names
    assert {h for h, _ in a.leases().values()} <= {"a", "b"}


@pytest.mark.postgres
def test_a_lease_that_ran_out_is_taken_over_and_a_live_one_is_not(base: Store) -> None:
    a, b = worker(base, "a", lease=0.5), worker(base, "b", lease=30)
    a.schedule({"x": 0.0, "y": 30.0})
    assert a.claim(["x", "y"], 5) == ["x"]  # y is not due
    assert b.claim(["x", "y"], 5) == []  # x is leased
    assert a.renew(["x"]) == 1 and b.renew(["x"]) == 0  # only the holder renews
    # a stopped renewing
    assert wait_for(lambda: (b.next_claimable(["x"]) or 1) <= 0, 10, interval=0.02)
    assert b.claim(["x", "y"], 5) == ["x"]
    # The late worker's result is stored, but it does not end the new holder's lease.
    a.record([(result("x"), None)])
    assert a.leases()["x"][0] == "b"
    assert len(a.check_history("x")) == 1


@pytest.mark.postgres
def test_a_stored_check_sets_its_account_due_again_in_the_same_transaction(base: Store) -> None:
    a = worker(base, "a", every=60)
    a.schedule({"x": 0.0})
    assert a.claim(["x"], 1) == ["x"]
    a.record([(result("x"), None)])
    holder, due_in = a.leases()["x"]
    assert holder is None and 55 < due_in <= 60
    assert a.claim(["x"], 1) == []  # checked: not due for another interval

    def broken(_: str) -> float:
        raise RuntimeError("no interval")

    failing = LeasedStore.over(base, holder="f", lease=30, due_in=broken)
    with pytest.raises(RuntimeError):
        failing.record([(result("x"), None)])
    assert len(a.check_history("x")) == 1  # the check rolled back with the schedule


@pytest.mark.postgres
def test_a_manual_check_moves_the_due_time_unless_another_worker_holds_it(base: Store) -> None:
    a, b = worker(base, "a", every=60), worker(base, "b", every=60)
    a.schedule({"x": 0.0, "y": 0.0})
    b.record([(result("x"), None)])  # x checked by hand on worker b: due in a minute
    assert a.claim(["x", "y"], 5) == ["y"]
    b.record([(result("y"), None)])  # y is a's: its lease and due time stay
    assert a.leases()["y"][0] == "a"
    b.record([(result("z"), None)])  # never scheduled: scheduled now
    assert a.leases()["z"][0] is None


@pytest.mark.postgres
def test_workers_sharing_alert_state_send_a_transition_once(url: str, tmp_path: Path) -> None:
    cfg = config(
        '[alerts]\ncooldown = "1h"\n' + account_toml("x", 'alerts = { below = "5" }'), tmp_path
    )
    account = cfg.accounts[0]
    stores = [Store.open(url) for _ in range(3)]
    notifiers = [RecordingNotifier() for _ in stores]
    managers = [
        AlertManager(alert_settings.parse(cfg), s, n, shared=True)
        for s, n in zip(stores, notifiers, strict=True)
    ]
    try:
        for balance, kind in (("3", "fired"), ("3", None), ("20", "recovered")):
            checked = ok(account, balance, datetime.now(UTC))
            stores[0].record([(checked, None)])
            start = threading.Barrier(len(managers))

            threads = [
                threading.Thread(target=observe_together, args=(m, account, checked, start))
                for m in managers
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            sent = [n.kind for notifier in notifiers for n, _ in notifier.sent]
            for notifier in notifiers:
                notifier.sent.clear()
            assert sent == ([] if kind is None else [kind])
        assert [a.kind for a in stores[0].alert_history("x")] == ["fired", "recovered"]
    finally:
        for s in stores:
            s.close()


def observe_together(
    manager: AlertManager, account: Account, checked: CheckResult, start: threading.Barrier
) -> None:
    start.wait()
    manager.observe(account, checked)


def test_a_lease_needs_a_postgresql_history(tmp_path: Path) -> None:
    cfg = config('[watch]\nlease = "2m"\n' + account_toml("x"), tmp_path)
    history = History.open(sqlite_url(tmp_path / "h.db"))
    try:
        with pytest.raises(ConfigError, match="PostgreSQL") as caught:
            build(cfg, history, watch_options(cfg))
        assert caught.value.hint is not None and "lease" in caught.value.hint
    finally:
        history.close()


def test_without_a_lease_the_watcher_schedules_every_account_itself(tmp_path: Path) -> None:
    cfg = config(account_toml("x"), tmp_path)
    history = History.open(sqlite_url(tmp_path / "h.db"))
    try:
        service = build(cfg, history, watch_options(cfg))
        assert service.watcher.shared is None
    finally:
        history.close()


@pytest.mark.postgres
def test_a_check_that_raises_frees_its_lease_so_the_account_is_checked_again(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    account = Account(name="x", provider="siliconflow", credentials={})
    history = SharedHistory(lambda: Store.open(url), lease=0.6, due_in=lambda _: 60, holder="w")
    schedule = SharedSchedule(history, capacity=1, start_spread=0, interval_of=lambda _: 60)
    calls: list[float] = []

    async def check(_: Account, __: object) -> CheckResult:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("a bug in the check")
        stop.set()
        return result("x")

    async def main() -> None:
        await asyncio.wait_for(schedule.run([account], check, None, stop), 20)  # type: ignore[arg-type]

    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="topup.watch"):
        asyncio.run(main())
    try:
        assert len(calls) == 2  # taken again once the lease it stopped renewing ran out
        assert calls[1] - calls[0] >= 0.4  # not before: the lease was not released early
        assert "the check of x failed: RuntimeError: a bug in the check" in caplog.text
    finally:
        history.get().close()
