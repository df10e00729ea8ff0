"""Storage benchmark: bytes per account-day, and query times with millions of checks.

Run: ``.venv/bin/python -m benchmarks.storage_bench [--checks 10000000] [--days 2]
[--postgres URL] [--write-readme]``

Part 1 (realistic path): 1,000 accounts polled every 5 minutes for ``--days`` days, written
through ``Store.record`` one poll round per batch, with realistic change rates (most polls
unchanged). Size per account-day, against the naive "one row per poll with every amount"
design measured in the same run.

Part 2 (scale): ``--checks`` checks bulk-inserted into SQLite (account 0 has 90 days of
5-minute polls, the other 999 accounts share the rest), then the store's queries are timed
against full-scan baselines.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from topup.model import CheckResult, Status
from topup.storage import Store, sqlite_url

ACCOUNTS = 1000
POLL = timedelta(minutes=5)
POLLS_PER_DAY = 288
T0 = datetime(2025, 1, 1, tzinfo=UTC)
README = Path(__file__).with_name("README.md")


class Sim:
    """Balances of many accounts: 20% active (change on 30% of polls), the rest rarely."""

    def __init__(self, n: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.balance = [Decimal(self.rng.randint(1_000, 100_000)) / 100 for _ in range(n)]
        self.active = [self.rng.random() < 0.2 for _ in range(n)]
        self.requests = [self.rng.randint(0, 10_000) for _ in range(n)]

    def poll(self, i: int) -> tuple[bool, Decimal | None]:
        """(ok, balance) of account i at the next poll."""
        rng = self.rng
        if rng.random() < 0.01:
            return False, None
        p = 0.3 if self.active[i] else 0.005
        if rng.random() < p:
            self.balance[i] -= Decimal(rng.randint(1, 5000)) / 10_000
            self.requests[i] += rng.randint(1, 50)
            if self.balance[i] < 0 and rng.random() < 0.5:
                self.balance[i] += 100  # top-up
        return True, self.balance[i]


def sqlite_bytes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.commit()
    conn.close()
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("VACUUM")
    conn.close()
    return path.stat().st_size


def sqlite_breakdown(path: Path) -> dict[str, int]:
    """Bytes per table, its indexes included (SQLite's dbstat)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d "
            "LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1"
        ).fetchall()
    conn.close()
    return {str(name): int(size) for name, size in rows}


def pg_bytes(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(
            text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        ).scalar()
    engine.dispose()
    return int(size or 0)


def part1(url: str, days: int, naive_path: Path | None) -> dict[str, float]:
    """Write ``days`` of polls through Store.record; returns counts and timings."""
    sim = Sim(ACCOUNTS)
    store = Store.open(url)
    naive: sqlite3.Connection | None = None
    if naive_path is not None:
        naive = sqlite3.connect(naive_path, isolation_level=None)
        naive.execute("PRAGMA journal_mode=WAL")
        naive.execute(
            "CREATE TABLE polls (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, "
            "checked_at DATETIME NOT NULL, status VARCHAR(32) NOT NULL, message TEXT, "
            "duration_ms INTEGER, currency VARCHAR(16), balance TEXT, granted TEXT, "
            "paid TEXT, used TEXT, unlimited BOOLEAN NOT NULL, request_count BIGINT, "
            "expires_at DATETIME)"
        )
        naive.execute("CREATE INDEX ix_polls ON polls (account_id, checked_at, id)")
    rounds = days * POLLS_PER_DAY
    checks = points = 0
    batch_times: list[float] = []
    for r in range(rounds):
        at = T0 + r * POLL
        batch: list[tuple[CheckResult, str | None]] = []
        for i in range(ACCOUNTS):
            good, bal = sim.poll(i)
            if good:
                res = CheckResult(
                    f"acct{i:04}",
                    "siliconflow",
                    Status.OK,
                    "CNY",
                    balance=bal,
                    granted=Decimal(0),
                    paid=bal,
                    request_count=sim.requests[i],
                    checked_at=at,
                    duration=0.2,
                )
            else:
                res = CheckResult.failure(
                    f"acct{i:04}",
                    "siliconflow",
                    Status.UNAVAILABLE,
                    "HTTP 503",
                    checked_at=at,
                    duration=10.0,
                )
            batch.append((res, f"sha256:{i:060x}"))
        t = time.perf_counter()
        summary = store.record(batch)
        batch_times.append(time.perf_counter() - t)
        checks += summary.checks
        points += summary.points
        if naive is not None:
            naive.execute("BEGIN")
            naive.executemany(
                "INSERT INTO polls (account_id, checked_at, status, message, duration_ms, "
                "currency, balance, granted, paid, used, unlimited, request_count, expires_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        i,
                        res.checked_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                        res.status.value,
                        res.message,
                        200,
                        res.currency,
                        None if res.balance is None else str(res.balance),
                        None if res.granted is None else str(res.granted),
                        None if res.paid is None else str(res.paid),
                        None,
                        0,
                        res.request_count,
                        None,
                    )
                    for i, (res, _) in enumerate(batch)
                ],
            )
            naive.execute("COMMIT")
    store.close()
    if naive is not None:
        naive.close()
    batch_times.sort()
    return {
        "checks": checks,
        "points": points,
        "batch_p50_ms": 1000 * batch_times[len(batch_times) // 2],
        "batch_p95_ms": 1000 * batch_times[int(len(batch_times) * 0.95)],
    }


def fmt_dt(d: datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")


def bulk_rows(total: int, seed: int = 2) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """Rows for checks and balances, in time order (as a watcher would write them)."""
    rng = random.Random(seed)
    long_polls = 90 * POLLS_PER_DAY
    per_other = max(1, (total - long_polls) // (ACCOUNTS - 1))
    start_other = long_polls - per_other
    active = [rng.random() < 0.2 for _ in range(ACCOUNTS)]
    balance = [100_000 * 10_000 for _ in range(ACCOUNTS)]  # in 1/10000
    last_point: list[int] = [-(10**9)] * ACCOUNTS
    written = 0
    for r in range(long_polls):
        at = fmt_dt(T0 + r * POLL)
        checks: list[tuple[Any, ...]] = []
        points: list[tuple[Any, ...]] = []
        ids = range(1, ACCOUNTS + 1) if r >= start_other else (1,)
        for aid in ids:
            i = aid - 1
            if rng.random() < 0.01:
                checks.append((aid, at, "unavailable", "HTTP 503", 10_000))
                continue
            checks.append((aid, at, "ok", None, 200))
            changed = rng.random() < (0.3 if active[i] else 0.005)
            if changed:
                balance[i] -= rng.randint(1, 5000)
            if changed or r - last_point[i] >= 12:
                last_point[i] = r
                b = str(Decimal(balance[i]).scaleb(-4))
                points.append((aid, at, "CNY", b, "0", b, None, 0, r, None))
        written += len(checks)
        yield "checks", checks
        yield "balances", points
        if written >= total:
            return


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def part2(path: Path, total: int) -> dict[str, float]:
    Store.open(sqlite_url(path)).close()  # schema through the migrations
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    now = fmt_dt(T0)
    conn.executemany(
        "INSERT INTO accounts (id, name, provider, fingerprint, currency, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?)",
        [
            (i, f"acct{i - 1:04}", "siliconflow", f"sha256:{i:060x}", "CNY", now, now)
            for i in range(1, ACCOUNTS + 1)
        ],
    )
    t = time.perf_counter()
    n_checks = n_points = 0
    conn.execute("BEGIN")
    pending = 0
    for table, rows in bulk_rows(total):
        if table == "checks":
            conn.executemany(
                "INSERT INTO checks (account_id, checked_at, status, message, duration_ms) "
                "VALUES (?,?,?,?,?)",
                rows,
            )
            n_checks += len(rows)
        else:
            conn.executemany(
                "INSERT INTO balances (account_id, at, currency, balance, granted, paid, used, "
                "unlimited, request_count, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            n_points += len(rows)
        pending += len(rows)
        if pending > 200_000:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            pending = 0
    conn.execute(
        "UPDATE accounts SET last_good_at = (SELECT max(checked_at) FROM checks "
        "WHERE checks.account_id = accounts.id AND status = 'ok')"
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    load_s = time.perf_counter() - t
    conn.execute("ANALYZE")

    store = Store.open(sqlite_url(path))
    last = store.check_history("acct0000", limit=1)[0].checked_at
    since = last - timedelta(days=90)
    latest_s, states = timed(store.latest)
    assert len(states) == ACCOUNTS
    hist_s, hist = timed(lambda: store.balance_history("acct0000", since))
    chist_s, chist = timed(lambda: store.check_history("acct0000", since))
    burn_s, _ = timed(
        lambda: __import__("topup.burn", fromlist=["estimate"]).estimate(
            store.balance_history("acct0000", last - timedelta(days=7))
        )
    )
    scan_s, _ = timed(
        lambda: conn.execute(
            "SELECT c.* FROM checks c NOT INDEXED JOIN (SELECT account_id, max(checked_at) m "
            "FROM checks NOT INDEXED GROUP BY account_id) l "
            "ON l.account_id = c.account_id AND l.m = c.checked_at"
        ).fetchall(),
        repeat=1,
    )
    hist_raw_s, _ = timed(
        lambda: conn.execute(
            "SELECT * FROM checks WHERE account_id = 1 AND checked_at >= ? ORDER BY checked_at, id",
            (fmt_dt(since),),
        ).fetchall(),
    )
    latest_raw_s, _ = timed(
        lambda: conn.execute(
            "SELECT c.* FROM accounts a JOIN checks c ON c.id = (SELECT id FROM checks "
            "WHERE account_id = a.id ORDER BY checked_at DESC, id DESC LIMIT 1)"
        ).fetchall(),
    )
    hist_scan_s, _ = timed(
        lambda: conn.execute(
            "SELECT * FROM checks NOT INDEXED WHERE account_id = 1 AND checked_at >= ?",
            (fmt_dt(since),),
        ).fetchall(),
        repeat=1,
    )
    store.close()
    conn.close()
    return {
        "checks": n_checks,
        "points": n_points,
        "load_s": load_s,
        "bytes": path.stat().st_size,
        "latest_ms": latest_s * 1000,
        "latest_scan_ms": scan_s * 1000,
        "hist_ms": hist_s * 1000,
        "hist_points": len(hist),
        "check_hist_ms": chist_s * 1000,
        "check_hist_rows": len(chist),
        "check_hist_scan_ms": hist_scan_s * 1000,
        "check_hist_raw_ms": hist_raw_s * 1000,
        "latest_raw_ms": latest_raw_s * 1000,
        "burn_ms": burn_s * 1000,
    }


def pg_schema(base: str) -> tuple[str, Callable[[], None]]:
    name = f"topup_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        c.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={name}"})

    def drop() -> None:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=1, help="days simulated in part 1")
    ap.add_argument("--checks", type=int, default=10_000_000, help="checks in part 2")
    ap.add_argument("--postgres", default=os.environ.get("TOPUP_TEST_POSTGRES_URL"))
    ap.add_argument("--write-readme", action="store_true", help="update benchmarks/README.md")
    args = ap.parse_args()
    lines: list[str] = []

    def out(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    with tempfile.TemporaryDirectory(prefix="topup-bench-") as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        r1 = part1(sqlite_url(d / "p1.db"), args.days, d / "naive.db")
        p1_s = time.perf_counter() - t
        size = sqlite_bytes(d / "p1.db")
        naive = sqlite_bytes(d / "naive.db")
        acct_days = ACCOUNTS * args.days
        out(
            f"### Size: {ACCOUNTS:,} accounts × {args.days} days, polled every 5 min "
            f"(SQLite, through `Store.record`)"
        )
        out()
        out("| | value |")
        out("|---|---|")
        out(f"| checks stored | {int(r1['checks']):,} |")
        out(
            f"| balance points stored | {int(r1['points']):,} "
            f"({r1['points'] / r1['checks']:.1%} of checks) |"
        )
        out(f"| bytes per account-day | {size / acct_days:,.0f} |")
        out(f"| naive one-row-per-poll design, bytes per account-day | {naive / acct_days:,.0f} |")
        out(f"| ratio to naive | {size / naive:.2f}× |")
        parts = sqlite_breakdown(d / "p1.db")
        naive_polls = sqlite_breakdown(d / "naive.db").get("polls", 0)
        out(
            f"| of which `checks` (every poll, outcome only) | "
            f"{parts.get('checks', 0) / acct_days:,.0f} |"
        )
        out(
            f"| of which `balances` (change points) | {parts.get('balances', 0) / acct_days:,.0f} "
            f"({parts.get('balances', 0) / naive_polls:.2f}× the naive table) |"
        )
        out(f"| MB per year for 1,000 accounts | {size / acct_days * ACCOUNTS * 365 / 1e6:,.0f} |")
        out(
            f"| `record()` of one 1,000-result round, p50 / p95 | "
            f"{r1['batch_p50_ms']:.1f} ms / {r1['batch_p95_ms']:.1f} ms |"
        )
        out(f"| wall time of part 1 | {p1_s:.1f} s |")
        out()
        if args.postgres:
            url, drop = pg_schema(args.postgres)
            try:
                r1pg = part1(url, args.days, None)
                with create_engine(url, isolation_level="AUTOCOMMIT").connect() as c:
                    c.exec_driver_sql("VACUUM FULL ANALYZE")
                pgsize = pg_bytes(url)
            finally:
                drop()
            out("PostgreSQL, same simulation:")
            out()
            out("| | value |")
            out("|---|---|")
            out(f"| bytes per account-day (tables + indexes) | {pgsize / acct_days:,.0f} |")
            out(
                f"| `record()` of one 1,000-result round, p50 / p95 | "
                f"{r1pg['batch_p50_ms']:.1f} ms / {r1pg['batch_p95_ms']:.1f} ms |"
            )
            out()

        r2 = part2(d / "p2.db", args.checks)
        out(
            f"### Queries with {int(r2['checks']):,} checks and {int(r2['points']):,} balance "
            f"points (SQLite, {ACCOUNTS:,} accounts)"
        )
        out()
        out(
            f"Bulk load: {r2['load_s']:.0f} s; file {r2['bytes'] / 1e9:.2f} GB. Times are "
            "medians of 5 runs through the `Store` API (baselines: 1 run of plain SQL)."
        )
        out()
        out("| query | `Store` API | same query in plain SQL | full-scan baseline | ratio |")
        out("|---|---|---|---|---|")
        out(
            f"| `latest()`: last check + last good value of {ACCOUNTS:,} accounts | "
            f"{r2['latest_ms']:.1f} ms | {r2['latest_raw_ms']:.1f} ms (last checks only) | "
            f"{r2['latest_scan_ms']:,.0f} ms (GROUP BY over all checks) | "
            f"API {r2['latest_scan_ms'] / r2['latest_ms']:,.0f}× faster than the scan |"
        )
        out(
            f"| `check_history(account, 90 days)`: {int(r2['check_hist_rows']):,} rows | "
            f"{r2['check_hist_ms']:.1f} ms | {r2['check_hist_raw_ms']:.1f} ms | "
            f"{r2['check_hist_scan_ms']:,.0f} ms | "
            f"indexed SQL {r2['check_hist_scan_ms'] / r2['check_hist_raw_ms']:,.0f}× faster "
            "than the scan; the API's time is building typed rows |"
        )
        out(
            f"| `balance_history(account, 90 days)`: {int(r2['hist_points']):,} points | "
            f"{r2['hist_ms']:.1f} ms | | `check_history` of the same 90 days: "
            f"{r2['check_hist_ms']:.1f} ms | "
            f"{r2['check_hist_ms'] / r2['hist_ms']:.1f}× faster |"
        )
        out(f"| 7-day `burn.estimate` incl. its query | {r2['burn_ms']:.1f} ms | | | |")
    if args.write_readme:
        write_readme(lines, args)


def write_readme(lines: list[str], args: argparse.Namespace) -> None:
    header = [
        "## Storage",
        "",
        "`.venv/bin/python -m benchmarks.storage_bench --write-readme` "
        f"(`--days {args.days} --checks {args.checks}`) rewrites this section. The history "
        "keeps every check (outcome only) and a balance point only when a value changed or "
        "at an hourly heartbeat: the amounts grow with changes, not polls (0.12× the naive "
        "table), but the per-poll `checks` rows still dominate the file.",
        "",
    ]
    section = "\n".join(header + lines).rstrip() + "\n"
    old = README.read_text() if README.exists() else "# Benchmarks\n"
    start = old.find("## Storage")
    if start < 0:
        new = old.rstrip() + "\n\n" + section
    else:
        end = old.find("\n## ", start + 1)
        new = old[:start] + section + ("" if end < 0 else old[end:])
    README.write_text(new)


if __name__ == "__main__":
    main()
