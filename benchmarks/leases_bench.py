"""Several workers, one PostgreSQL: what the shared schedule (``[watch] lease``) costs.

    .venv/bin/python -m benchmarks.leases_bench --accounts 1000 10000 [--postgres URL]
    [--workers 3] [--concurrency 32] [--write-readme]

On the machine's PostgreSQL (``--postgres``, else ``TOPUP_TEST_POSTGRES_URL``), for each
account count, each measurement in a fresh schema (migrated first, not timed; dropped
afterwards) and each worker in its own process:

(c) baseline: one process stores one result per account through the plain single-worker
    ``Store.record``, in batches of ``--concurrency``, no leases;
(a) one worker registers its accounts (``LeasedStore.schedule``, all due now), then claims
    the due ones ``--concurrency`` at a time (``LeasedStore.claim``, ``FOR UPDATE SKIP
    LOCKED``) and stores each batch's results with the leases released in the same
    transaction (``LeasedStore.record``), through :class:`SharedHistory`, until nothing is due;
(b) ``--workers`` such workers at once, until none can claim anything.

The check is a trivial fake (a result built in memory, no HTTP): this measures the database
work of the schedule, not the platforms. Every account must end stored exactly once with no
lease held, and no account may be claimed twice; the run fails otherwise. Timing starts when
every worker has registered and stops when the last one finishes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from topup.model import CheckResult, Status
from topup.storage import Store
from topup.watch.shared import SharedHistory

README = Path(__file__).with_name("README.md")
HEADING = "## Several workers: leases at 1,000 and 10,000 accounts"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Long enough that no lease runs out and no account is due again during a run.
LEASE = 600.0
INTERVAL = 3600.0


def account_names(count: int) -> list[str]:
    return [f"bench-{i:06d}" for i in range(count)]


def fake_check(name: str, i: int, ago: timedelta = timedelta(0)) -> CheckResult:
    """The trivial check: an OK result with a balance, built in memory."""
    return CheckResult(
        name,
        "bench",
        Status.OK,
        currency="USD",
        balance=Decimal(1000 + i % 997) / 100,
        checked_at=datetime.now(UTC) - ago,
        duration=0.0,
    )


@contextmanager
def fresh_schema(base: str, count: int) -> Iterator[str]:
    """A new schema on ``base``, migrated, holding one earlier check of each of ``count``
    accounts (a watcher's steady state, not its first round) and analysed; yields a URL
    pinned to it; dropped afterwards. Nothing of this is timed."""
    name = f"topup_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={name}"})
    pinned = url.render_as_string(hide_password=False)
    try:
        with Store.open(pinned) as store:  # create the tables (Alembic)
            names = account_names(count)
            for at in range(0, count, 1000):
                earlier = timedelta(minutes=10)
                batch = names[at : at + 1000]
                store.record([(fake_check(n, at + k, earlier), None) for k, n in enumerate(batch)])
        analyse(pinned)
        yield pinned
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


def analyse(url: str) -> None:
    """``ANALYZE``, as autovacuum would have done on tables that long held these rows."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


def worker(
    kind: str,
    url: str,
    count: int,
    concurrency: int,
    holder: str,
    start: Any,  # multiprocessing Barrier, twice: registered, then go
    out: Any,  # multiprocessing Queue
) -> None:
    """One worker process: ``plain`` stores every account (the baseline), ``leased`` claims
    and stores until nothing is due. Puts its claims and times on ``out``."""
    names = account_names(count)
    index = {n: i for i, n in enumerate(names)}
    store = Store.open(url, migrate_schema=False)
    claimed: list[str] = []
    registered = 0.0
    try:
        if kind == "plain":
            start.wait()
            start.wait()
            began = time.monotonic()
            for at in range(0, count, concurrency):
                store.record(
                    [
                        (fake_check(n, at + k), None)
                        for k, n in enumerate(names[at : at + concurrency])
                    ]
                )
                claimed += names[at : at + concurrency]
        else:
            history = SharedHistory(
                lambda: store, lease=LEASE, due_in=lambda _: INTERVAL, holder=holder
            )
            leased = history.get()
            t0 = time.monotonic()
            leased.schedule(dict.fromkeys(names, 0.0))  # registering: every account due now
            registered = time.monotonic() - t0
            start.wait()  # every worker registered: the parent analyses the lease table
            start.wait()
            began = time.monotonic()
            while batch := leased.claim(names, concurrency):
                leased.record([(fake_check(n, index[n]), None) for n in batch])
                claimed += batch
        ended = time.monotonic()
    finally:
        store.close()
    out.put(
        {
            "holder": holder,
            "claimed": claimed,
            "began": began,
            "ended": ended,
            "registered": registered,
        }
    )


@dataclass
class Run:
    label: str
    workers: int
    wall: float
    stored: int
    double: int
    registered: float
    per_worker: list[int]

    @property
    def rate(self) -> float:
        return self.stored / self.wall


def measure(base: str, kind: str, workers: int, count: int, concurrency: int) -> Run:
    """``workers`` processes of ``kind`` on a fresh schema; checks the stored history."""
    ctx = multiprocessing.get_context("spawn")
    with fresh_schema(base, count) as url:
        start = ctx.Barrier(workers + 1)
        out = ctx.Queue()
        procs = [
            ctx.Process(
                target=worker,
                args=(kind, url, count, concurrency, f"bench:{i}", start, out),
                daemon=True,
            )
            for i in range(workers)
        ]
        for p in procs:
            p.start()
        start.wait(300)
        analyse(url)
        start.wait(60)
        reports = [out.get(timeout=600) for _ in procs]
        for p in procs:
            p.join(60)
            if p.exitcode != 0:
                raise RuntimeError(f"a {kind} worker exited with {p.exitcode}")
        claimed = [n for r in reports for n in r["claimed"]]
        double = len(claimed) - len(set(claimed))
        verify(url, count)
    wall = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    return Run(
        label=kind,
        workers=workers,
        wall=wall,
        stored=len(set(claimed)),
        double=double,
        registered=max(r["registered"] for r in reports),
        per_worker=sorted((len(r["claimed"]) for r in reports), reverse=True),
    )


def verify(url: str, count: int) -> None:
    """Every account stored exactly once, none still leased; else fail loudly."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            checks = conn.execute(text("SELECT count(*) FROM checks")).scalar_one()
            other = conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT account_id FROM checks GROUP BY account_id "
                    "HAVING count(*) <> 2) AS c"
                )
            ).scalar_one()
            held = conn.execute(
                text("SELECT count(*) FROM account_leases WHERE holder IS NOT NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    if (checks, other, held) != (2 * count, 0, 0):  # the earlier check and this run's
        raise RuntimeError(
            f"expected {count} accounts stored once and none leased: {checks - count} "
            f"checks stored, {other} accounts not stored exactly once, {held} still leased"
        )


def bench(base: str, count: int, workers: int, concurrency: int, repeat: int) -> dict[str, Any]:
    """(c), (a) and (b) in turn, ``repeat`` rounds; each the round of median wall time."""
    kinds = [("plain", 1), ("leased", 1), ("leased", workers)]
    rounds = [[measure(base, k, w, count, concurrency) for k, w in kinds] for _ in range(repeat)]
    runs = []
    for i in range(len(kinds)):
        each = sorted((r[i] for r in rounds), key=lambda run: run.wall)
        median = each[len(each) // 2]
        median.double = sum(run.double for run in each)  # every round counts
        runs.append(median)
    return {"count": count, "runs": runs, "load": os.getloadavg()}


def table(rows: list[dict[str, Any]], concurrency: int, repeat: int) -> str:
    out = [
        f"Batches of {concurrency} (the default `[check] concurrency`), a trivial in-memory check "
        f"(no HTTP), each worker its own process, {os.cpu_count()} cores shared with PostgreSQL; "
        f"each measurement on a fresh schema; median of {repeat} rounds (c, a, b in turn); "
        "double claims summed over every round.",
        "",
        "| accounts | measurement | wall | accounts/s | ratio to (c) (wall) | registering "
        "| stored per worker | double claims |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        ("plain", 1): "(c) baseline: plain `Store.record`, no leases",
        ("leased", 1): "(a) one worker: claim + record with release",
    }
    for row in rows:
        base = row["runs"][0]
        for r in row["runs"]:
            label = names.get((r.label, r.workers), f"(b) {r.workers} workers at once")
            reg = "–" if r.label == "plain" else f"{r.registered * 1000:.0f} ms"
            out.append(
                f"| {row['count']:,} | {label} | {r.wall:.2f} s | {r.rate:,.0f} "
                f"| {r.wall / base.wall:.2f}× | {reg} | "
                f"{' / '.join(f'{n:,}' for n in r.per_worker)} | {r.double} |"
            )
    out.append("")
    loads = ", ".join(
        f"{r['count']:,}: {r['load'][0]:.2f} / {r['load'][1]:.2f} / {r['load'][2]:.2f}"
        for r in rows
    )
    out.append(f"Load average (1 / 5 / 15 min) after each size: {loads}.")
    return "\n".join(out)


def write_readme(section: str) -> None:
    text_ = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start = text_.find("\n" + HEADING + "\n")
    if start >= 0:
        end = text_.find("\n## ", start + 1)
        rest = "" if end < 0 else text_[end:]
        text_ = text_[: start + 1] + section + rest
    else:
        text_ = text_.rstrip("\n") + "\n\n" + section
    README.write_text(text_, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--postgres", default=os.environ.get("TOPUP_TEST_POSTGRES_URL") or DEFAULT_URL
    )
    parser.add_argument("--workers", type=int, default=3, help="workers at once in (b)")
    parser.add_argument("--concurrency", type=int, default=32, help="claim/record batch size")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is shown")
    parser.add_argument("--write-readme", action="store_true", help="update benchmarks/README.md")
    args = parser.parse_args()
    rows = [
        bench(args.postgres, n, args.workers, args.concurrency, args.repeat) for n in args.accounts
    ]
    body = table(rows, args.concurrency, args.repeat)
    print(body, flush=True)
    if args.write_readme:
        write_readme(
            f"{HEADING}\n\n`.venv/bin/python -m benchmarks.leases_bench --write-readme` "
            "rewrites this section.\n\n" + body + "\n"
        )
    doubles = sum(r.double for row in rows for r in row["runs"])
    if doubles:
        print(f"FAILED: {doubles} accounts claimed twice", file=sys.stderr)
    return 1 if doubles else 0


if __name__ == "__main__":
    sys.exit(main())
