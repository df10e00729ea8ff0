"""Pruning old checks keeps the history exact: every change, every run's first and last check,
each account's latest check and last good value; burn, changes and spend per day unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from topup import burn
from topup.model import Amounts, CheckResult, Status
from topup.storage import StorageUnavailable, Store, sqlite_url
from topup.storage.prune import PruneSummary, keep_pruning, prune, pruning_turn, vacuum
from topup.storage.schema import balances, checks
from topup.web.trends import daily_spend, summarize

from .helpers import T0, failed, ok

POLL = 15  # minutes
DAYS = 30
NOW = T0 + timedelta(days=DAYS)
KEEP = timedelta(days=10)
CUTOFF = NOW - KEEP


def realistic(seed: int = 7) -> list[CheckResult]:
    """30 days of 15-minute polls of four accounts: a mostly flat one with rare spends, a
    top-up and failure runs; a busy one; one that runs dry (exhausted, no value) and is topped
    up; one that stopped being polled 12 days before the end of the history."""
    rng = random.Random(seed)
    out: list[CheckResult] = []
    bal = {"flat": Decimal("50.00"), "busy": Decimal("300.0000"), "dry": Decimal("3.00")}
    outage = range(500, 530)  # the flat account fails for 7.5 hours (two statuses)
    for r in range(DAYS * 24 * 60 // POLL):
        m = r * POLL
        if r in outage:
            status = Status.UNAVAILABLE if r < 515 else Status.UNREACHABLE
            out.append(failed("flat", m, status))
        elif rng.random() < 0.01:
            out.append(failed("flat", m))
        else:
            if rng.random() < 0.004:
                bal["flat"] -= Decimal(rng.randint(1, 300)) / 100
            if r == 1900:
                bal["flat"] += Decimal("100.00")  # a top-up
            out.append(ok("flat", str(bal["flat"]), m, request_count=r // 400))
        if rng.random() < 0.3:
            bal["busy"] -= Decimal(rng.randint(1, 5000)) / 10_000
        if r % 700 == 699:
            bal["busy"] += Decimal(50)
        out.append(ok("busy", str(bal["busy"]), m, currency="CNY"))
        if bal["dry"] > 0:
            if rng.random() < 0.02:
                bal["dry"] -= Decimal("0.25")
            out.append(ok("dry", str(bal["dry"]), m))
        elif r % 1000 == 0:
            bal["dry"] = Decimal("20.00")
            out.append(ok("dry", "20.00", m))
        else:
            out.append(
                CheckResult(
                    "dry",
                    "siliconflow",
                    Status.EXHAUSTED,
                    message="insufficient balance",
                    checked_at=T0 + timedelta(minutes=m),
                )
            )
        if m < (DAYS - 12) * 24 * 60:
            out.append(ok("gone", "7.5", m) if r % 97 else failed("gone", m))
    return out


def record_days(store: Store, results: list[CheckResult]) -> None:
    """Record as a watcher would: one batch per poll round's worth of a day."""
    day = timedelta(days=1)
    for start in range(DAYS):
        lo, hi = T0 + start * day, T0 + (start + 1) * day
        store.record([(r, "fp") for r in results if lo <= r.checked_at < hi])


@pytest.fixture(scope="module")
def realistic_results() -> list[CheckResult]:
    return realistic()


@dataclass
class Snapshot:
    points: dict[str, list[Any]]
    latest: list[Any]
    figures: dict[str, Any]
    rows: list[CheckResult]


def snapshot(store: Store) -> Snapshot:
    """What the history says, computed the ways topup computes it."""
    names = [a.name for a in store.accounts()]
    points = {n: store.balance_history(n) for n in names}
    figures: dict[str, Any] = {}
    for n in names:
        week = store.balance_history(n, NOW - timedelta(days=7))
        s = summarize(store.balance_history(n, NOW - timedelta(days=7)), NOW, spark=False)
        figures[n] = {
            "burn": burn.estimate(week, now=NOW),
            "summary": (s.change_24h, s.change_7d, s.spend_per_day, s.runway_days),
            "daily": daily_spend(points[n]),
            # Windows ending inside the pruned stretch, computed from what is stored.
            "past": [
                burn.estimate(store.balance_history(n, end - timedelta(days=7)), now=end)
                for end in (T0 + timedelta(days=d) for d in (8, 12, 19))
            ],
        }
    return Snapshot(points, store.latest(), figures, list(store.export()))


def run_key(r: CheckResult) -> tuple[Status, Amounts | None]:
    return r.status, r.amounts() if r.status.checked else None


def identity(r: CheckResult) -> tuple[Any, ...]:
    return r.account, r.checked_at, r.status, r.message, r.amounts()


def expected_after_prune(rows: list[CheckResult], cutoff: datetime) -> list[CheckResult]:
    """The rule, in Python over the exported rows: a check older than the cutoff goes when the
    checks on both sides of it have its status and its values."""
    kept: list[CheckResult] = []
    by_account: dict[str, list[CheckResult]] = {}
    for r in rows:
        by_account.setdefault(r.account, []).append(r)
    for series in by_account.values():
        for i, r in enumerate(series):
            inside = 0 < i < len(series) - 1 and run_key(series[i - 1]) == run_key(r) == run_key(
                series[i + 1]
            )
            if r.checked_at >= cutoff or not inside:
                kept.append(r)
    return kept


def assert_reconstructible(before: list[CheckResult], after: list[CheckResult]) -> None:
    """Each pruned check lies between two kept ones that saw exactly what it saw."""
    kept = {identity(r) for r in after}
    assert kept <= {identity(r) for r in before}
    by_account: dict[str, list[CheckResult]] = {}
    for r in after:
        by_account.setdefault(r.account, []).append(r)
    for r in before:
        if identity(r) in kept:
            continue
        assert r.checked_at < CUTOFF, r
        series = by_account[r.account]
        prior = [k for k in series if k.checked_at < r.checked_at][-1]
        later = next(k for k in series if k.checked_at > r.checked_at)
        assert run_key(prior) == run_key(r) == run_key(later), r


def test_pruning_keeps_every_figure_the_history_gives(
    store: Store, realistic_results: list[CheckResult]
) -> None:
    record_days(store, realistic_results)
    before = snapshot(store)

    summary = prune(store, KEEP, now=NOW)

    after = snapshot(store)
    assert summary.cutoff == CUTOFF and summary.accounts == 4
    assert summary.removed == len(before.rows) - len(after.rows)
    assert summary.removed > 0.8 * summary.examined  # most old checks were repeats
    assert after.points == before.points
    assert after.latest == before.latest
    assert after.figures == before.figures
    assert [identity(r) for r in after.rows] == [
        identity(r) for r in expected_after_prune(before.rows, CUTOFF)
    ]
    assert_reconstructible(before.rows, after.rows)
    # Nothing newer than the cutoff went.
    assert [identity(r) for r in before.rows if r.checked_at >= CUTOFF] == [
        identity(r) for r in after.rows if r.checked_at >= CUTOFF
    ]
    # Run boundaries: the outage's first and last failures, with their statuses, are there.
    flat = [r for r in after.rows if r.account == "flat"]
    outage_start, status_change, outage_end = (
        T0 + timedelta(minutes=POLL * r) for r in (500, 515, 529)
    )
    for at, status in (
        (outage_start, Status.UNAVAILABLE),
        (status_change, Status.UNREACHABLE),
        (outage_end, Status.UNREACHABLE),
    ):
        assert any(r.checked_at == at and r.status is status for r in flat), at

    again = prune(store, KEEP, now=NOW)
    assert again.removed == 0 and again.examined == summary.kept


def test_a_dry_run_counts_without_deleting(
    store: Store, realistic_results: list[CheckResult]
) -> None:
    record_days(store, realistic_results)
    rows = len(list(store.export()))
    dry = prune(store, KEEP, now=NOW, dry_run=True)
    assert dry.dry_run and dry.removed > 0
    assert len(list(store.export())) == rows
    real = prune(store, KEEP, now=NOW, batch=100)
    assert (real.removed, real.examined) == (dry.removed, dry.examined)
    assert len(list(store.export())) == rows - real.removed


def test_pruning_in_steps_from_the_last_cutoff_equals_one_full_prune(
    tmp_path: Path, realistic_results: list[CheckResult]
) -> None:
    with Store.open(sqlite_url(tmp_path / "full.db")) as full:
        record_days(full, realistic_results)
    shutil.copy(tmp_path / "full.db", tmp_path / "steps.db")
    with Store.open(sqlite_url(tmp_path / "full.db")) as full:
        prune(full, KEEP, now=NOW)
        expected = [identity(r) for r in full.export()]
    with Store.open(sqlite_url(tmp_path / "steps.db")) as steps:
        since = None
        for days_before in (25, 18, 14, 10):
            summary = prune(steps, timedelta(days=days_before), now=NOW, since=since)
            since = summary.cutoff
        assert [identity(r) for r in steps.export()] == expected


def test_runs_keep_their_first_and_last_check(store: Store) -> None:
    old = [
        ok("a", "10", 0),
        ok("a", "10", 1),
        ok("a", "10", 2),
        failed("a", 3),
        failed("a", 4),
        failed("a", 5),
        ok("a", "10", 6),
        ok("a", "10", 7),
        ok("a", "10", 8),
        ok("a", "9", 9),
        ok("a", "9", 10),
        ok("a", "9", 11),
    ]
    recent = [ok("a", "9", 100), ok("a", "8", 101)]
    store.record([(r, None) for r in old + recent])
    summary = prune(store, timedelta(minutes=50), now=T0 + timedelta(minutes=150))
    left = [int((r.checked_at - T0).total_seconds() // 60) for r in store.export()]
    # 1 and 7: inside runs of 10; 4: inside the failure run; 10 and 11: the run of 9 goes on
    # after the cutoff (its first check, 9, says since when).
    assert left == [0, 2, 3, 5, 6, 8, 9, 100, 101]
    assert (summary.examined, summary.removed) == (12, 5)


def test_an_account_no_longer_polled_keeps_its_latest_check_and_value(store: Store) -> None:
    store.record([(ok("old", "5", m), None) for m in range(0, 10)] + [(failed("old", 10), None)])
    before = store.latest()
    prune(store, timedelta(minutes=1), now=T0 + timedelta(days=200))
    assert store.latest() == before
    left = [r.checked_at for r in store.export()]
    assert left == [T0 + timedelta(minutes=m) for m in (0, 9, 10)]


def test_balance_points_are_never_pruned(store: Store) -> None:
    # Hourly heartbeats of an unchanged value are points too: they stay.
    store.record([(ok("a", "5", m), None) for m in range(0, 600, 15)])
    with store._read("t") as conn:
        points = conn.execute(select(func.count()).select_from(balances)).scalar()
    prune(store, timedelta(minutes=1), now=T0 + timedelta(days=1))
    with store._read("t") as conn:
        assert conn.execute(select(func.count()).select_from(balances)).scalar() == points
        assert conn.execute(select(func.count()).select_from(checks)).scalar() == 2


def test_keep_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError, match="positive"):
        prune(store, timedelta(0))


def test_vacuum_gives_the_space_back_to_the_file(
    tmp_path: Path, realistic_results: list[CheckResult]
) -> None:
    path = tmp_path / "h.db"
    with Store.open(sqlite_url(path)) as store:
        record_days(store, realistic_results)
        vacuum(store)
        size = path.stat().st_size
        prune(store, KEEP, now=NOW)
        vacuum(store)
        assert path.stat().st_size < 0.8 * size
        assert len(store.latest()) == 4  # still a working database


def test_vacuum_while_another_connection_writes_is_storage_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(sqlite_url(path), busy_timeout=0.05) as store:
        store.record([(ok("a", "5"), None)])
        writer = sqlite3.connect(path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # a watcher in the middle of a write
            with pytest.raises(StorageUnavailable, match=r"vacuum.*locked"):
                vacuum(store)
            writer.execute("ROLLBACK")
        finally:
            writer.close()
        vacuum(store)  # and once the writer is done, it goes through
        assert len(store.latest()) == 1


@pytest.mark.postgres
def test_workers_sharing_a_postgresql_database_take_turns_to_prune(pg_schema: Any) -> None:
    with Store.open(pg_schema.url) as store, Store.open(pg_schema.url) as other:
        store.record([(ok("a", "5", m), None) for m in range(0, 600, 15)])
        held = contextlib.ExitStack()
        assert held.enter_context(pruning_turn(other))  # another worker is pruning
        with pruning_turn(store) as mine:
            assert not mine
        calls: list[int] = []
        passes: list[PruneSummary] = []

        def getter() -> Store:
            calls.append(len(store.check_history("a")))
            if len(calls) == 3:
                held.close()  # the other worker's pass ends
            return store

        async def main() -> None:
            stop = asyncio.Event()

            def on_pass(summary: PruneSummary) -> None:
                passes.append(summary)
                stop.set()

            await asyncio.wait_for(
                keep_pruning(getter, timedelta(minutes=1), stop, every=0, on_pass=on_pass), 30
            )

        asyncio.run(main())
        assert calls == [40, 40, 40]  # two passes skipped, nothing deleted by them
        assert len(passes) == 1 and passes[0].removed == 38
        with pruning_turn(other) as theirs:  # released after the pass
            assert theirs


@pytest.mark.postgres
def test_vacuum_on_postgresql(pg_schema: Any, realistic_results: list[CheckResult]) -> None:
    with Store.open(pg_schema.url) as store:
        store.record([(r, None) for r in realistic_results[:400]])
        prune(store, timedelta(hours=1), now=NOW)
        vacuum(store)
        assert len(store.latest()) == 4


def test_the_retention_loop_retries_after_an_outage_and_prunes_in_a_thread(
    store: Store,
) -> None:
    store.record([(ok("a", "5", m), None) for m in range(0, 600, 15)])
    calls: list[str] = []
    passes: list[PruneSummary] = []

    def getter() -> Store:
        calls.append("get")
        if len(calls) == 1:
            raise StorageUnavailable("history database unavailable: down for the test")
        return store

    async def main() -> None:
        stop = asyncio.Event()

        def on_pass(summary: PruneSummary) -> None:
            passes.append(summary)
            if len(passes) == 2:
                stop.set()

        await asyncio.wait_for(
            keep_pruning(getter, timedelta(minutes=1), stop, every=0, on_pass=on_pass), 30
        )

    asyncio.run(main())
    assert len(calls) == 3  # the failed pass, then two passes
    assert passes[0].removed > 0 and passes[1].removed == 0
    assert passes[1].examined <= 1  # the second pass looks only at what aged since the first


def test_a_stopped_pass_ends_after_the_account_at_hand(store: Store) -> None:
    store.record([(ok(n, "5", m), None) for n in ("a", "b") for m in range(0, 600, 15)])
    asked: list[bool] = []

    def stopping() -> bool:
        asked.append(True)
        return len(asked) > 1  # after the first account

    summary = prune(store, timedelta(minutes=1), now=T0 + timedelta(days=1), stopping=stopping)
    assert summary.accounts == 1 and summary.removed == 38
    left = {n: len(store.check_history(n)) for n in ("a", "b")}
    assert left == {"a": 2, "b": 40}


def test_an_accounts_old_checks_are_deleted_in_the_transaction_that_chose_them(
    store: Store,
) -> None:
    """So a late result arriving while the pass is elsewhere finds the account's pruning
    done, never chosen-but-not-yet-deleted checks it would have made run boundaries."""
    store.record([(ok(n, "5", m), None) for n in ("a", "b") for m in range(0, 600, 15)])
    left_when_asked: list[dict[str, int]] = []

    def stopping() -> bool:
        left_when_asked.append({n: len(store.check_history(n)) for n in ("a", "b")})
        return False

    summary = prune(store, timedelta(minutes=1), now=T0 + timedelta(days=1), stopping=stopping)
    assert summary.removed == 76
    assert left_when_asked == [{"a": 40, "b": 40}, {"a": 2, "b": 40}]


def test_pruning_in_slices_of_one_check_equals_pruning_at_once(
    store: Store, realistic_results: list[CheckResult]
) -> None:
    record_days(store, realistic_results[:600])
    before = snapshot(store)
    dry = prune(store, KEEP, now=NOW, dry_run=True)
    sliced = prune(store, KEEP, now=NOW, batch=1)
    assert sliced.removed > 0
    assert (sliced.removed, sliced.examined) == (dry.removed, dry.examined)
    assert [identity(r) for r in snapshot(store).rows] == [
        identity(r) for r in expected_after_prune(before.rows, CUTOFF)
    ]
