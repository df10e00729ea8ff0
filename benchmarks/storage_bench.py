"""Storage benchmark: bytes per account-day, and query times with millions of checks.

Run: ``.venv/bin/python -m benchmarks.storage_bench [--checks 10000000] [--days 2]
[--postgres URL] [--write-readme]``; ``--part2-postgres --postgres URL`` runs only part 2 on
PostgreSQL.

Part 1 (realistic path): 1,000 accounts polled every 5 minutes for ``--days`` days, written
through ``Store.record`` one poll round per batch, with realistic change rates (most polls
unchanged). Size per account-day, against the naive "one row per poll with every amount"
design measured in the same run; then the same file after `topup db prune` of everything older
than the last poll (the steady state of history older than ``[storage] keep``), with every
account's burn figures checked equal before and after.

Part 2 (scale): ``--checks`` checks bulk-inserted into SQLite (account 0 has 90 days of
5-minute polls, the other 999 accounts share the rest), then the store's queries are timed
against full-scan baselines. With ``--postgres`` the same rows are then COPYed into a
throwaway PostgreSQL schema (dropped afterwards) and the same queries and baselines timed.
"""

from __future__ import annotations

import argparse
import contextlib
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

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from topup import burn
from topup.model import CheckResult, Status
from topup.storage import Store, sqlite_url
from topup.storage.prune import prune

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
                    currency="CNY",
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


def figures(store: Store, end: datetime, days: int) -> list[Any]:
    """What the history says of every account: latest state, points, burn over the run."""
    window = timedelta(days=days)
    out: list[Any] = [store.latest()]
    for acct in store.accounts():
        points = store.balance_history(acct.name)
        out.append((points, burn.estimate(points, window=window, now=end)))
    return out


def prune_part1(url: str, days: int) -> dict[str, float]:
    """Prune everything older than the last poll round; returns counts and the wall time.

    Raises when any account's points, latest state or burn figures differ afterwards.
    """
    end = T0 + (days * POLLS_PER_DAY - 1) * POLL
    with Store.open(url) as store:
        before = figures(store, end, days)
        t = time.perf_counter()
        summary = prune(store, POLL / 2, now=end)
        seconds = time.perf_counter() - t
        if figures(store, end, days) != before:
            raise AssertionError("pruning changed what the history says")
    return {"examined": summary.examined, "removed": summary.removed, "prune_s": seconds}


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
    since, api = time_store_api(store)
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
        **api,
        "latest_scan_ms": scan_s * 1000,
        "check_hist_scan_ms": hist_scan_s * 1000,
        "check_hist_raw_ms": hist_raw_s * 1000,
        "latest_raw_ms": latest_raw_s * 1000,
    }


def time_store_api(store: Store) -> tuple[datetime, dict[str, float]]:
    """The queries timed through the `Store` API, the same on every database.

    Returns the start of the 90-day window (for the plain-SQL baselines) and the timings.
    """
    last = store.check_history("acct0000", limit=1)[0].checked_at
    since = last - timedelta(days=90)
    latest_s, states = timed(store.latest)
    assert len(states) == ACCOUNTS
    hist_s, hist = timed(lambda: store.balance_history("acct0000", since))
    chist_s, chist = timed(lambda: store.check_history("acct0000", since))
    burn_s, _ = timed(
        lambda: burn.estimate(store.balance_history("acct0000", last - timedelta(days=7)))
    )
    return since, {
        "latest_ms": latest_s * 1000,
        "hist_ms": hist_s * 1000,
        "hist_points": len(hist),
        "check_hist_ms": chist_s * 1000,
        "check_hist_rows": len(chist),
        "burn_ms": burn_s * 1000,
    }


def pg_connect(url: str) -> Any:
    """A plain psycopg connection (UTC session) to the database and schema of ``url``."""
    u = make_url(url)
    conn = psycopg.connect(
        host=u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        dbname=u.database,
        options=str(u.query.get("options", "")),
        autocommit=True,
    )
    conn.execute("SET TimeZone = 'UTC'")
    return conn


#: Plain-SQL full scans on PostgreSQL: no index may be used (the planner's choice otherwise).
PG_NO_INDEX = (
    "SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; "
    "SET LOCAL enable_bitmapscan = off"
)


def part2_pg(url: str, total: int) -> dict[str, float]:
    """Part 2 on PostgreSQL: the same rows COPYed in, the same queries and baselines."""
    Store.open(url).close()  # schema through the migrations
    admin = pg_connect(url)
    now = fmt_dt(T0)
    with admin.cursor() as cur:
        cur.executemany(
            "INSERT INTO accounts (id, name, provider, fingerprint, currency, created_at, "
            "updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s)",
            [
                (i, f"acct{i - 1:04}", "siliconflow", f"sha256:{i:060x}", "CNY", now, now)
                for i in range(1, ACCOUNTS + 1)
            ],
        )
    # Usual bulk-load practice: the secondary indexes are dropped during the load and rebuilt
    # from their own definitions afterwards; the rows are valid by construction, so the
    # foreign-key triggers are skipped (session_replication_role, superuser only).
    indexes = admin.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND indexname IN ('ix_checks_account_time', 'ix_balances_account_time')"
    ).fetchall()
    assert len(indexes) == 2, indexes
    t = time.perf_counter()
    for name, _ in indexes:
        admin.execute(f'DROP INDEX "{name}"')
    loaders = [pg_connect(url), pg_connect(url)]
    for conn in loaders:
        conn.execute("SET synchronous_commit = off")
        # Without the privilege the foreign keys are checked row by row: slower, same rows.
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET session_replication_role = replica")
    n_checks = n_points = 0
    with (
        loaders[0].transaction(),
        loaders[1].transaction(),
        loaders[0]
        .cursor()
        .copy(
            "COPY checks (account_id, checked_at, status, message, duration_ms) FROM STDIN"
        ) as copy_checks,
        loaders[1]
        .cursor()
        .copy(
            "COPY balances (account_id, at, currency, balance, granted, paid, used, "
            "unlimited, request_count, expires_at) FROM STDIN"
        ) as copy_points,
    ):
        for table, rows in bulk_rows(total):
            if table == "checks":
                for row in rows:
                    copy_checks.write_row(row)
                n_checks += len(rows)
            else:
                for row in rows:
                    copy_points.write_row(row)
                n_points += len(rows)
    for conn in loaders:
        conn.close()
    copy_s = time.perf_counter() - t
    admin.execute("SET maintenance_work_mem = '1GB'")
    for _, indexdef in indexes:
        admin.execute(indexdef)
    admin.execute(
        "UPDATE accounts SET last_good_at = (SELECT max(checked_at) FROM checks "
        "WHERE checks.account_id = accounts.id AND status = 'ok')"
    )
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    admin.execute("VACUUM (ANALYZE)")  # what autovacuum would soon do after a bulk load
    vacuum_s = time.perf_counter() - t
    size = pg_bytes(url)

    store = Store.open(url)
    since, api = time_store_api(store)

    def scan(sql: str, *params: Any) -> list[Any]:
        with admin.transaction():
            admin.execute(PG_NO_INDEX)
            return admin.execute(sql, params or None).fetchall()

    scan_s, _ = timed(
        lambda: scan(
            "SELECT c.* FROM checks c JOIN (SELECT account_id, max(checked_at) m "
            "FROM checks GROUP BY account_id) l "
            "ON l.account_id = c.account_id AND l.m = c.checked_at"
        ),
        repeat=1,
    )
    hist_raw_s, _ = timed(
        lambda: admin.execute(
            "SELECT * FROM checks WHERE account_id = 1 AND checked_at >= %s "
            "ORDER BY checked_at, id",
            (since,),
        ).fetchall(),
    )
    latest_raw_s, _ = timed(
        lambda: admin.execute(
            "SELECT c.* FROM accounts a JOIN checks c ON c.id = (SELECT id FROM checks "
            "WHERE account_id = a.id ORDER BY checked_at DESC, id DESC LIMIT 1)"
        ).fetchall(),
    )
    hist_scan_s, _ = timed(
        lambda: scan("SELECT * FROM checks WHERE account_id = 1 AND checked_at >= %s", since),
        repeat=1,
    )
    store.close()
    admin.close()
    return {
        "checks": n_checks,
        "points": n_points,
        "load_s": load_s,
        "copy_s": copy_s,
        "vacuum_s": vacuum_s,
        "bytes": size,
        **api,
        "latest_scan_ms": scan_s * 1000,
        "check_hist_scan_ms": hist_scan_s * 1000,
        "check_hist_raw_ms": hist_raw_s * 1000,
        "latest_raw_ms": latest_raw_s * 1000,
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
    ap.add_argument(
        "--part2-postgres",
        action="store_true",
        help="run only part 2 on PostgreSQL (--postgres URL), print its table",
    )
    args = ap.parse_args()
    if args.part2_postgres:
        if not args.postgres:
            ap.error("--part2-postgres needs --postgres URL (or TOPUP_TEST_POSTGRES_URL)")
        if args.write_readme:
            ap.error("--part2-postgres prints one table; it does not rewrite the README")
        run_part2_pg(args.postgres, args.checks, print)
        return
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
        rp = prune_part1(sqlite_url(d / "p1.db"), args.days)
        pruned = sqlite_bytes(d / "p1.db")
        pruned_parts = sqlite_breakdown(d / "p1.db")
        out(
            f"| after `topup db prune` (all older than the last poll) and VACUUM, "
            f"bytes per account-day | {pruned / acct_days:,.0f} ({pruned / size:.2f}× before, "
            f"{pruned / naive:.2f}× naive) |"
        )
        out(
            f"| of which `checks` after the prune | "
            f"{pruned_parts.get('checks', 0) / acct_days:,.0f} "
            f"({int(rp['removed']):,} of {int(rp['examined']):,} checks removed, "
            f"{rp['removed'] / rp['examined']:.0%}) |"
        )
        out(
            f"| of which `balances` after the prune (never pruned) | "
            f"{pruned_parts.get('balances', 0) / acct_days:,.0f} |"
        )
        out(
            f"| MB per year for 1,000 accounts, history older than `keep` | "
            f"{pruned / acct_days * ACCOUNTS * 365 / 1e6:,.0f} |"
        )
        out(
            f"| prune wall time (SQLite, batches of 1,000 ids) | {rp['prune_s']:.1f} s "
            f"({rp['examined'] / rp['prune_s']:,.0f} checks examined/s); latest state, points "
            "and burn of every account identical before and after |"
        )
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
                rpg = prune_part1(url, args.days)
                with create_engine(url, isolation_level="AUTOCOMMIT").connect() as c:
                    c.exec_driver_sql("VACUUM FULL ANALYZE")
                pgpruned = pg_bytes(url)
            finally:
                drop()
            out("PostgreSQL, same simulation:")
            out()
            out("| | value |")
            out("|---|---|")
            out(f"| bytes per account-day (tables + indexes) | {pgsize / acct_days:,.0f} |")
            out(
                f"| after `topup db prune` (all older than the last poll) and VACUUM FULL | "
                f"{pgpruned / acct_days:,.0f} ({pgpruned / pgsize:.2f}× before; "
                f"{int(rpg['removed']):,} checks removed in {rpg['prune_s']:.1f} s) |"
            )
            out(
                f"| `record()` of one 1,000-result round, p50 / p95 | "
                f"{r1pg['batch_p50_ms']:.1f} ms / {r1pg['batch_p95_ms']:.1f} ms |"
            )
            out()

        r2 = part2(d / "p2.db", args.checks)
        part2_table(
            r2,
            "SQLite",
            f"Bulk load: {r2['load_s']:.0f} s; file {r2['bytes'] / 1e9:.2f} GB. Times are "
            "medians of 5 runs through the `Store` API (baselines: 1 run of plain SQL).",
            out,
        )
        if args.postgres:
            out()
            run_part2_pg(args.postgres, args.checks, out)
    if args.write_readme:
        write_readme(lines, args)


def part2_table(r: dict[str, float], backend: str, note: str, out: Callable[..., None]) -> None:
    """The Markdown table of part 2."""
    out(
        f"### Queries with {int(r['checks']):,} checks and {int(r['points']):,} balance "
        f"points ({backend}, {ACCOUNTS:,} accounts)"
    )
    out()
    out(note)
    out()
    out("| query | `Store` API | same query in plain SQL | full-scan baseline | ratio |")
    out("|---|---|---|---|---|")
    out(
        f"| `latest()`: last check + last good value of {ACCOUNTS:,} accounts | "
        f"{r['latest_ms']:.1f} ms | {r['latest_raw_ms']:.1f} ms (last checks only) | "
        f"{r['latest_scan_ms']:,.0f} ms (GROUP BY over all checks) | "
        f"API {r['latest_scan_ms'] / r['latest_ms']:,.0f}× faster than the scan |"
    )
    out(
        f"| `check_history(account, 90 days)`: {int(r['check_hist_rows']):,} rows | "
        f"{r['check_hist_ms']:.1f} ms | {r['check_hist_raw_ms']:.1f} ms | "
        f"{r['check_hist_scan_ms']:,.0f} ms | "
        f"indexed SQL {r['check_hist_scan_ms'] / r['check_hist_raw_ms']:,.0f}× faster "
        "than the scan; the API's time is building typed rows |"
    )
    out(
        f"| `balance_history(account, 90 days)`: {int(r['hist_points']):,} points | "
        f"{r['hist_ms']:.1f} ms | | `check_history` of the same 90 days: "
        f"{r['check_hist_ms']:.1f} ms | "
        f"{r['check_hist_ms'] / r['hist_ms']:.1f}× faster |"
    )
    out(f"| 7-day `burn.estimate` incl. its query | {r['burn_ms']:.1f} ms | | | |")


def run_part2_pg(base: str, total: int, out: Callable[..., None]) -> None:
    """Part 2 on PostgreSQL, in a throwaway schema, and its table."""
    url, drop = pg_schema(base)
    try:
        r = part2_pg(url, total)
    finally:
        drop()
    part2_table(
        r,
        "PostgreSQL",
        f"Bulk load (COPY with the two history indexes rebuilt after it, then `last_good_at`): "
        f"{r['load_s']:.0f} s, of which COPY {r['copy_s']:.0f} s; then `VACUUM ANALYZE` "
        f"{r['vacuum_s']:.0f} s; database {r['bytes'] / 1e9:.2f} GB (tables + indexes). "
        "Times are medians of 5 runs through the `Store` API (baselines: 1 run of plain SQL; "
        "the full scans with index scans disabled).",
        out,
    )


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
