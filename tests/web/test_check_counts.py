"""``topup_checks_total``'s counts: the history counted once (in the background at start), the
checks stored after it counted as they come, each once, against a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from topup.model import CheckResult, Status
from topup.storage import Store, sqlite_url
from topup.storage.schema import accounts, checks
from topup.web.metrics import CheckCounts

from .support import ok


def record(store: Store, start: datetime, count: int) -> None:
    results = []
    for k in range(count):
        at = start + timedelta(minutes=k)
        if k % 3 == 0:
            r = CheckResult.failure("a", "newapi", Status.UNREACHABLE, "refused", checked_at=at)
        else:
            r = ok("b" if k % 2 else "a", "newapi", at, str(100 - k))
        results.append((r, "fp"))
    store.record(results)


def truth(store: Store) -> dict[tuple[str, str], int]:
    q = (
        select(accounts.c.name, checks.c.status, func.count())
        .select_from(checks.join(accounts, accounts.c.id == checks.c.account_id))
        .group_by(accounts.c.name, checks.c.status)
    )
    with store.engine.connect() as conn:
        return {(n, s): int(c) for n, s, c in conn.execute(q)}


def test_counts_match_the_store_before_and_after_new_checks(tmp_path: Path) -> None:
    store = Store.open(sqlite_url(tmp_path / "topup.db"))
    try:
        start = datetime.now(UTC) - timedelta(days=1)
        record(store, start, 40)
        counts = CheckCounts(store)
        counts.WINDOW = 5  # the history below the newest 5 ids counted in one aggregate
        counts.start().join(10)
        record(store, start + timedelta(hours=1), 7)  # stored after the background count
        first = counts.read()
        assert first == truth(store)
        assert sum(first.values()) == 47
        record(store, start + timedelta(hours=2), 12)
        assert counts.read() == truth(store)
        assert counts.read() == truth(store)  # nothing new: nothing counted twice
    finally:
        store.close()


def test_first_read_counts_without_the_background_start(tmp_path: Path) -> None:
    store = Store.open(sqlite_url(tmp_path / "topup.db"))
    try:
        record(store, datetime.now(UTC) - timedelta(days=1), 9)
        assert CheckCounts(store).read() == truth(store)
    finally:
        store.close()
