"""Alerts shared by several workers on the machine's PostgreSQL: a transition is decided and
committed under the account's alert lock, then delivered outside it; a failed write sends
nothing; a refused delivery is owed again; recording checks never waits for the alert lock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage.conftest import PgSchema

from alerts.helpers import RecordingNotifier, account_toml, config, failed, ok
from topup.account import Account
from topup.alerts import AlertManager, Delivery, Notice
from topup.alerts import settings as alert_settings
from topup.config import Config
from topup.model import CheckResult
from topup.storage import Store
from topup.storage.records import AccountState
from topup.storage.schema import alerts_sent

pytestmark = pytest.mark.postgres

WAIT = 20.0  # the longest wait for another thread (a bound, not a speed assertion)


@pytest.fixture
def url(pg_schema: PgSchema) -> str:
    return pg_schema.url


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    with Store.open(url) as s:
        yield s


def low_balance_config(tmp_path: Path) -> Config:
    return config(
        '[alerts]\ncooldown = "1h"\n' + account_toml("x", 'alerts = { below = "5" }'), tmp_path
    )


def shared(cfg: Config, store: Store, notifier: RecordingNotifier) -> AlertManager:
    return AlertManager(alert_settings.parse(cfg), store, notifier, shared=True)


def stored_check(store: Store, account: Account, balance: str, minutes: float = 0) -> CheckResult:
    checked = ok(account, balance, datetime.now(UTC) + timedelta(minutes=minutes))
    store.record([(checked, None)])
    return checked


class InspectingNotifier(RecordingNotifier):
    """Looks at the database (through its own store) at the moment it delivers."""

    def __init__(self, observer: Store) -> None:
        super().__init__()
        self.observer = observer
        self.history_at_send: list[list[str]] = []
        self.state_at_send: list[str | None] = []

    def send(self, notice: Notice, tags: Iterable[str] | None = None) -> Delivery:
        self.history_at_send.append([a.kind for a in self.observer.alert_history("x")])
        self.state_at_send.append(self.observer.get_alert_state("x", "below"))
        return super().send(notice, tags)


def test_a_shared_alert_is_delivered_after_its_state_and_history_are_committed(
    store: Store, url: str, tmp_path: Path
) -> None:
    cfg = low_balance_config(tmp_path)
    account = cfg.accounts[0]
    with Store.open(url) as observer:
        notifier = InspectingNotifier(observer)
        manager = shared(cfg, store, notifier)
        sent = manager.observe(account, stored_check(store, account, "3"))
    assert [n.kind for n in sent] == ["fired"]
    assert notifier.history_at_send == [["fired"]]
    assert notifier.state_at_send[0] is not None and '"notified":true' in notifier.state_at_send[0]


def test_a_failed_shared_write_sends_nothing_and_the_next_check_fires_it(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = low_balance_config(tmp_path)
    account = cfg.accounts[0]
    notifier = RecordingNotifier()
    manager = shared(cfg, store, notifier)
    checked = stored_check(store, account, "3")
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE {alerts_sent.name}")  # every insert fails
    with caplog.at_level(logging.WARNING, logger="topup.alerts"):
        assert manager.observe(account, checked) == []
    assert notifier.sent == []
    assert store.get_alert_state("x", "below") is None  # the transaction rolled back
    assert "nothing was sent or stored" in caplog.text
    assert "kept in memory" not in caplog.text
    alerts_sent.create(store.engine)
    sent = manager.observe(account, stored_check(store, account, "3", minutes=1))
    assert [n.kind for n in sent] == ["fired"]
    assert [a.kind for a in store.alert_history("x")] == ["fired"]


class BlockingNotifier(RecordingNotifier):
    """Delivery that waits for ``release`` (a slow webhook), saying when it started."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()
        self.release = threading.Event()

    def send(self, notice: Notice, tags: Iterable[str] | None = None) -> Delivery:
        self.sending.set()
        self.release.wait(WAIT)
        return super().send(notice, tags)


def test_another_worker_does_not_wait_for_a_delivery_in_progress_and_sends_nothing(
    store: Store, url: str, tmp_path: Path
) -> None:
    cfg = low_balance_config(tmp_path)
    account = cfg.accounts[0]
    slow = BlockingNotifier()
    other_notifier = RecordingNotifier()
    checked = stored_check(store, account, "3")
    with Store.open(url) as other_store:
        first = shared(cfg, store, slow)
        other = shared(cfg, other_store, other_notifier)
        sending = threading.Thread(target=first.observe, args=(account, checked))
        sending.start()
        try:
            assert slow.sending.wait(WAIT)
            done = threading.Event()

            def observe_other() -> None:
                other.observe(account, checked)
                done.set()

            threading.Thread(target=observe_other, daemon=True).start()
            assert done.wait(WAIT), "the other worker waited for a delivery in progress"
            # A good check of the account is stored meanwhile too.
            stored_check(store, account, "3", minutes=1)
        finally:
            slow.release.set()
            sending.join(WAIT)
    assert other_notifier.sent == []
    assert [n.kind for n, _ in slow.sent] == ["fired"]
    assert [a.kind for a in store.alert_history("x")] == ["fired"]


def test_recording_a_check_does_not_wait_for_the_alert_lock(store: Store, url: str) -> None:
    account = Account(name="x", provider="siliconflow", credentials={})
    store.record([(ok(account, "10", datetime.now(UTC)), None)])
    recorded = threading.Event()

    def record_good_check() -> None:
        with Store.open(url) as writer:
            writer.record([(ok(account, "9", datetime.now(UTC)), None)])
        recorded.set()

    with store.alert_transaction("x") as tx:
        tx.set_alert_state("x", "below", None)
        threading.Thread(target=record_good_check, daemon=True).start()
        assert recorded.wait(WAIT), "recording a good check waited for the alert lock"
    assert len(store.check_history("x")) == 2


def test_a_refused_shared_delivery_is_owed_again_and_its_history_row_withdrawn(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = low_balance_config(tmp_path)
    account = cfg.accounts[0]
    notifier = RecordingNotifier()
    notifier.fail = True
    manager = shared(cfg, store, notifier)
    with caplog.at_level(logging.WARNING, logger="topup.alerts"):
        assert manager.observe(account, stored_check(store, account, "3")) == []
    assert "owed, retried on a later check" in caplog.text
    assert store.alert_history("x") == []
    assert manager.state("x", "below").fired and not manager.state("x", "below").notified
    notifier.fail = False
    sent = manager.observe(account, stored_check(store, account, "3", minutes=1))
    assert [n.kind for n in sent] == ["fired"]
    assert [a.kind for a in store.alert_history("x")] == ["fired"]


class AskingStore(Store):
    """A store that notes which accounts each :meth:`latest` call asked for."""

    asked: list[Sequence[str] | None]

    def latest(self, names: Sequence[str] | None = None) -> list[AccountState]:
        self.asked.append(None if names is None else list(names))
        return super().latest(names)


def test_a_failure_notice_reads_the_last_good_value_of_its_own_account_only(
    url: str, tmp_path: Path
) -> None:
    cfg = config("[alerts]\nfailures = 2\n" + account_toml("x") + account_toml("y"), tmp_path)
    x, y = cfg.accounts
    with AskingStore.open(url) as store:
        assert isinstance(store, AskingStore)
        store.asked = []
        now = datetime.now(UTC)
        store.record([(ok(x, "12.5", now), None), (ok(y, "99", now), None)])
        notifier = RecordingNotifier()
        manager = shared(cfg, store, notifier)
        for minutes in (1, 2):
            down = failed(x, now + timedelta(minutes=minutes))
            store.record([(down, None)])
            manager.observe(x, down)
    assert store.asked == [["x"]]
    [(notice, _)] = notifier.sent
    assert notice.kind == "fired" and "12.5" in notice.text
