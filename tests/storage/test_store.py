"""The history store on SQLite and PostgreSQL: schema, exact values, change points, queries."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from topup.model import CheckResult, Status
from topup.storage import StorageError, Store, UnknownAccount, sqlite_url
from topup.storage import urls as storage_urls
from topup.storage.migrate import current_revision, head_revision
from topup.storage.schema import VERSION_TABLE, balances, checks

from .helpers import T0, failed, ok


def count(store: Store, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


# -- schema and migrations ----------------------------------------------------------------------


def test_open_creates_schema_at_head(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"accounts", "checks", "balances", "alert_state", "alerts_sent", VERSION_TABLE} <= names
    assert current_revision(store.engine) == head_revision()


def test_reopen_is_idempotent(db_url: str) -> None:
    with Store.open(db_url) as s:
        s.record([(ok("a", "1"), "fp")])
    with Store.open(db_url) as s:
        assert [a.name for a in s.accounts()] == ["a"]
        assert current_revision(s.engine) == head_revision()


def test_concurrent_opens_of_a_fresh_database(db_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            with Store.open(db_url) as s:
                s.accounts()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_default_url_is_a_wal_sqlite_file_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_urls, "user_data_dir", lambda app: str(tmp_path / "data" / app))
    with Store.open() as s:
        assert (tmp_path / "data" / "topup" / "topup.db").exists()
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


# -- exact values -------------------------------------------------------------------------------

AMOUNTS = [
    "0.000002",
    "-0.000002",
    "-12.50",
    "0",
    "0.0000000001",
    "123456789012345678.1234567890",
    "99999999999999999999.9999999999",
    "1E+3",
    "14.000000",
]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_decimals_round_trip_exactly(store: Store, amount: str) -> None:
    value = Decimal(amount)
    result = ok("acct", amount, granted=-value, paid=value, used=value * 3)
    store.record([(result, None)])
    [point] = store.balance_history("acct")
    assert (point.balance, point.granted, point.paid, point.used) == (
        value,
        -value,
        value,
        value * 3,
    )
    assert isinstance(point.balance, Decimal)
    # Same digits and scale, not just ==; only a positive exponent is written out (1E+3: 1000).
    plain = value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value  # type: ignore[operator]
    assert point.balance.as_tuple() == plain.as_tuple()
    [state] = store.latest()
    assert state.last_good is not None and state.last_good.balance == value
    [exported] = store.export()
    assert exported.balance == value


def test_non_finite_and_float_amounts_are_refused(store: Store) -> None:
    with pytest.raises((StorageError, ValueError, TypeError)):
        store.record([(ok("a", "NaN"), None)])
    with pytest.raises((StorageError, ValueError, TypeError)):
        store.record([(replace(ok("a", "1"), balance=1.5), None)])  # type: ignore[arg-type]
    assert store.accounts() == []


def test_times_come_back_aware_utc(store: Store) -> None:
    cet = timezone(timedelta(hours=1))
    at = datetime(2025, 3, 1, 13, 30, 15, 123456, tzinfo=cet)
    expires = datetime(2026, 1, 1, tzinfo=cet)
    store.record([(replace(ok("a", "5"), checked_at=at, expires_at=expires), None)])
    [point] = store.balance_history("a")
    assert point.at == at and point.at.tzinfo == UTC and point.at.hour == 12
    assert point.expires_at == expires and point.expires_at is not None
    assert point.expires_at.tzinfo == UTC
    [check] = store.check_history("a")
    assert check.checked_at == at and check.checked_at.tzinfo == UTC
    [acct] = store.accounts()
    assert acct.created_at.tzinfo == UTC


def test_naive_times_are_refused_before_writing(store: Store) -> None:
    naive = replace(ok("b", "1"), checked_at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        store.record([(ok("a", "1"), None), (naive, None)])
    assert store.accounts() == []


# -- change points ------------------------------------------------------------------------------


def test_unchanged_polls_store_checks_but_one_point(store: Store) -> None:
    batch = [(ok("a", "10", m), "fp") for m in range(0, 55, 5)]
    summary = store.record(batch)
    assert (summary.checks, summary.points) == (11, 1)
    assert count(store, checks) == 11 and count(store, balances) == 1


def test_points_on_change_and_on_heartbeat(store: Store) -> None:
    store.record([(ok("a", "10", 0), None), (ok("a", "10", 5), None)])
    store.record([(ok("a", "9.5", 10), None)])  # change
    store.record([(ok("a", "9.5", 15), None), (ok("a", "9.50", 20), None)])  # 9.50 == 9.5
    store.record([(ok("a", "9.5", 70), None)])  # 60 min after the last point: heartbeat
    store.record([(ok("a", "9.5", 75), None)])
    store.record([(ok("a", "9.5", 75.5, unlimited=True), None)])  # another field changed
    history = store.balance_history("a")
    assert [(p.at - T0, p.balance, p.unlimited) for p in history] == [
        (timedelta(minutes=0), Decimal(10), False),
        (timedelta(minutes=10), Decimal("9.5"), False),
        (timedelta(minutes=70), Decimal("9.5"), False),
        (timedelta(minutes=75.5), Decimal("9.5"), True),
    ]


def test_heartbeat_is_configurable(db_url: str) -> None:
    with Store.open(db_url, heartbeat=timedelta(minutes=10)) as s:
        s.record([(ok("a", "1", m), None) for m in range(0, 31, 5)])
        assert [p.at - T0 for p in s.balance_history("a")] == [
            timedelta(minutes=m) for m in (0, 10, 20, 30)
        ]


def test_failed_checks_keep_the_last_good_value(store: Store) -> None:
    store.record([(ok("a", "7", 0), "fp1"), (ok("a", "6", 5), "fp1")])
    store.record([(failed("a", 10), "fp1"), (failed("a", 15, Status.AUTH_ERROR), "fp1")])
    [state] = store.latest()
    assert state.last_check is not None
    assert state.last_check.status is Status.AUTH_ERROR
    assert state.last_check.checked_at == T0 + timedelta(minutes=15)
    assert state.last_good is not None and state.last_good.balance == Decimal(6)
    assert state.last_good_at == T0 + timedelta(minutes=5)
    assert state.age(T0 + timedelta(minutes=15)) == timedelta(minutes=10)
    assert count(store, balances) == 2


def test_last_good_at_follows_unchanged_good_checks(store: Store) -> None:
    store.record([(ok("a", "7", m), None) for m in (0, 5, 10)])
    store.record([(failed("a", 15), None)])
    [state] = store.latest()
    assert state.last_good is not None and state.last_good.at == T0
    assert state.last_good_at == T0 + timedelta(minutes=10)


def test_exhausted_is_a_good_check_with_amounts(store: Store) -> None:
    r = replace(ok("a", "0", 0), status=Status.EXHAUSTED, message="no credit")
    store.record([(r, None)])
    [state] = store.latest()
    assert state.last_good is not None and state.last_good.balance == Decimal(0)
    assert state.last_check is not None and state.last_check.message == "no credit"


def test_latest_of_many_accounts_and_never_good(store: Store) -> None:
    batch = [(ok(f"acct{i:02}", str(i), m), f"fp{i}") for i in range(20) for m in (0, 5)]
    batch.append((failed("zz-never", 0), None))
    random.Random(1).shuffle(batch)
    store.record(batch)
    states = store.latest()
    assert [s.account.name for s in states] == [f"acct{i:02}" for i in range(20)] + ["zz-never"]
    for i, s in enumerate(states[:20]):
        assert s.last_good is not None and s.last_good.balance == Decimal(i)
        assert s.last_check is not None and s.last_check.checked_at == T0 + timedelta(minutes=5)
        assert s.account.fingerprint == f"fp{i}"
    never = states[-1]
    assert never.last_good is None and never.last_good_at is None
    assert never.last_check is not None and never.last_check.status is Status.UNREACHABLE


def test_accounts_update_provider_fingerprint_currency(store: Store) -> None:
    store.record([(ok("a", "1", 0, currency="CNY"), "fp-old")])
    store.record([(ok("a", "1", 5, currency="USD", provider="newapi"), "fp-new")])
    store.record([(failed("a", 10), None)])  # no fingerprint given: keep the known one
    [acct] = store.accounts()
    assert (acct.provider, acct.fingerprint, acct.currency) == ("siliconflow", "fp-new", "USD")


def test_history_queries(store: Store) -> None:
    store.record([(ok("a", str(100 - m), m, duration=0.1234), None) for m in range(0, 100, 10)])
    store.record([(ok("b", "1", 0), None)])
    since = T0 + timedelta(minutes=35)
    pts = store.balance_history("a", since)
    assert [p.at - T0 for p in pts] == [timedelta(minutes=m) for m in (30, 40, 50, 60, 70, 80, 90)]
    pts = store.balance_history("a", since, include_prior=False)
    assert pts[0].at == T0 + timedelta(minutes=40)
    hist = store.check_history("a", since, limit=3)
    assert [c.checked_at - T0 for c in hist] == [timedelta(minutes=m) for m in (70, 80, 90)]
    assert hist[0].duration == pytest.approx(0.123)
    assert len(store.check_history("a")) == 10
    assert store.check_history("nobody") == [] and store.balance_history("nobody") == []


def test_long_messages_are_truncated(store: Store) -> None:
    store.record([(replace(failed("a"), message="x" * 10_000), None)])
    [c] = store.check_history("a")
    assert c.message is not None and len(c.message) == 2000


def test_export_rebuilds_every_result(store: Store) -> None:
    rng = random.Random(42)
    results: list[CheckResult] = []
    for name in ("a", "b", "c"):
        bal = Decimal("50")
        for i in range(60):
            m = i * 5
            if rng.random() < 0.15:
                results.append(failed(name, m))
                continue
            if rng.random() < 0.3:
                bal -= Decimal(rng.randint(1, 300)) / 100
            if rng.random() < 0.05:
                bal += 20
            results.append(ok(name, str(bal), m, request_count=i // 10, duration=0.5))
    batches = [results[i : i + 17] for i in range(0, len(results), 17)]
    for b in batches:
        store.record([(r, None) for r in b])
    got = list(store.export())
    want = sorted(results, key=lambda r: (r.account, r.checked_at))
    assert got == want
    since = T0 + timedelta(minutes=100)
    assert list(store.export(since)) == [r for r in want if r.checked_at >= since]


def test_late_results_keep_the_history_exact(store: Store) -> None:
    # In order: 10 @0, 10 @10 (no point), 10 @20 (no point), 8 @30.
    ordered = [ok("a", "10", 0), ok("a", "10", 10), ok("a", "10", 20), ok("a", "8", 30)]
    late = ok("a", "9", 5)  # arrives last, between the first two
    store.record([(r, None) for r in ordered])
    store.record([(late, None)])
    want = sorted([*ordered, late], key=lambda r: r.checked_at)
    assert list(store.export()) == want
    rng = random.Random(7)
    for _ in range(3):
        shuffled = [ok("s", str(rng.choice([1, 2, 3])), m) for m in range(0, 200, 10)]
        order = shuffled[:]
        rng.shuffle(order)
        for r in order:
            store.record([(r, None)])
        assert [r for r in store.export() if r.account == "s"] == shuffled
        with store.engine.begin() as conn:
            conn.execute(checks.delete())
            conn.execute(balances.delete())


# -- alerts -------------------------------------------------------------------------------------


def test_alert_state_survives_reopen(db_url: str) -> None:
    with Store.open(db_url) as s:
        s.record([(ok("a", "1"), None), (ok("b", "2"), None)])
        assert s.get_alert_state("a", "low-balance") is None
        s.set_alert_state("a", "low-balance", '{"firing": true}')
        s.set_alert_state("a", "low-balance", '{"firing": false}')
        s.set_alert_state("b", "stale", "{}")
    with Store.open(db_url) as s:
        assert s.get_alert_state("a", "low-balance") == '{"firing": false}'
        assert [(x.account, x.rule) for x in s.alert_states()] == [
            ("a", "low-balance"),
            ("b", "stale"),
        ]
        s.set_alert_state("a", "low-balance", None)
        assert s.get_alert_state("a", "low-balance") is None
        with pytest.raises(UnknownAccount):
            s.set_alert_state("nobody", "r", "{}")


def test_alert_history(store: Store) -> None:
    store.record([(ok("a", "1"), None), (ok("b", "1"), None)])
    store.record_alert("a", "low", "fired", "a is low", at=T0)
    store.record_alert("b", "low", "fired", "b is low", at=T0 + timedelta(minutes=1))
    store.record_alert("a", "low", "recovered", "a is fine", at=T0 + timedelta(minutes=2))
    assert [(x.account, x.kind) for x in store.alert_history()] == [
        ("a", "fired"),
        ("b", "fired"),
        ("a", "recovered"),
    ]
    assert [x.message for x in store.alert_history("a", T0 + timedelta(minutes=1))] == ["a is fine"]
    with pytest.raises(ValueError):
        store.record_alert("a", "low", "exploded", None)  # type: ignore[arg-type]
    with pytest.raises(UnknownAccount):
        store.record_alert("nobody", "low", "fired")


def test_a_failing_batch_leaves_nothing(store: Store) -> None:
    store.record([(ok("a", "1", 0), None)])
    bad = replace(ok("c", "1", 5), provider="x" * 500)  # longer than the column on PostgreSQL
    batch = [(ok("a", "2", 5), None), (ok("b", "3", 5), None), (bad, None)]
    if store.engine.dialect.name == "sqlite":
        # SQLite does not enforce VARCHAR lengths: make the batch fail on a constraint instead.
        bad = replace(ok("c", "1", 5), status="nonsense")  # type: ignore[arg-type]
        batch[-1] = (bad, None)
    with pytest.raises((StorageError, AttributeError)):
        store.record(batch)
    assert [a.name for a in store.accounts()] == ["a"]
    assert count(store, checks) == 1 and count(store, balances) == 1


def test_sqlite_url_helper(tmp_path: Path) -> None:
    assert sqlite_url(tmp_path / "x.db").startswith("sqlite+pysqlite:////")
