"""Web benchmark: server time of ``/`` and ``/metrics``, requests per second of ``/api/accounts``.

``.venv/bin/python -m benchmarks.web_bench`` (``--accounts 1000 10000``, ``--write-readme``).

For each size a SQLite history of 90 days is bulk-inserted straight into the store's tables
(same formats as :class:`topup.storage.Store` writes): the last 7 days at the hourly heartbeat
(the densest history an unchanged account has; the dashboard reads exactly this window), days
8-90 every 6 hours, one check per point, 2 % of accounts failing their last check. The app runs
under uvicorn on loopback in this process; times are measured by an httpx client on the same
machine (cold = first request after start, warm = median of 5). Load: ``wrk`` (Debian) if
installed, else a bounded httpx async loop, against ``/api/accounts`` and a static ``/healthz``
baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn

from topup.account import Account
from topup.model import CheckResult
from topup.storage import Store, sqlite_url
from topup.web import create_app

README = Path(__file__).parent / "README.md"
PROVIDERS = ("siliconflow", "newapi", "aihubmix")
DAYS = 90
DENSE = timedelta(days=7)


def _ts(value: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text (UTC, offset dropped), as ``UTCDateTime`` writes."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _cents(value: int) -> str:
    sign, value = ("-", -value) if value < 0 else ("", value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def _times(now: datetime) -> list[datetime]:
    start = now - timedelta(days=DAYS)
    out, t = [], start
    while t < now - DENSE:
        out.append(t)
        t += timedelta(hours=6)
    while t < now - timedelta(minutes=5):
        out.append(t)
        t += timedelta(hours=1)
    out.append(now - timedelta(minutes=5))
    return out


def fill(store: Store, n: int, now: datetime) -> tuple[int, int]:
    """Bulk-insert ``n`` accounts with 90 days of history; returns (points, checks)."""
    rng = random.Random(n)
    times = _times(now)
    raw = store.engine.raw_connection()
    points = checks = 0
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous = OFF")
        cur.executemany(
            "INSERT INTO accounts (id, name, provider, fingerprint, currency, created_at,"
            " updated_at, last_good_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 1,
                    f"acct-{i:05d}",
                    PROVIDERS[i % 3],
                    f"fp{i}",
                    "CNY" if i % 4 == 0 else "USD",
                    _ts(times[0]),
                    _ts(now),
                    None,
                )
                for i in range(n)
            ],
        )
        stamps = [_ts(t) for t in times]
        for first in range(0, n, 200):
            prows, crows, last_good = [], [], []
            for i in range(first, min(n, first + 200)):
                aid, currency = i + 1, ("CNY" if i % 4 == 0 else "USD")
                cents = rng.randrange(5_000, 500_000)  # integer cents: exact, fast
                failing = rng.random() < 0.02
                good_at = stamps[0]
                for k, stamp in enumerate(stamps):
                    if failing and k == len(stamps) - 1:
                        crows.append((aid, stamp, "unreachable", "connection refused", 2500))
                        continue
                    cents -= rng.randrange(0, 300)
                    if cents < 500:
                        cents += 10_000
                    used = 100_000 - cents
                    prows.append((aid, stamp, currency, _cents(cents), _cents(used), 0))
                    crows.append((aid, stamp, "ok", None, 80 + (k * 37 + i) % 800))
                    good_at = stamp
                last_good.append((good_at, aid))
            cur.executemany(
                "INSERT INTO balances (account_id, at, currency, balance, used, unlimited)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                prows,
            )
            cur.executemany(
                "INSERT INTO checks (account_id, checked_at, status, message, duration_ms)"
                " VALUES (?, ?, ?, ?, ?)",
                crows,
            )
            cur.executemany("UPDATE accounts SET last_good_at = ? WHERE id = ?", last_good)
            points += len(prows)
            checks += len(crows)
        raw.commit()
    finally:
        raw.close()
    return points, checks


@contextmanager
def running(app: object) -> Iterator[str]:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Without it, a pre-bound socket handed to uvicorn waits on delayed ACKs (~40 ms).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def timed(client: httpx.Client, path: str) -> tuple[float, int]:
    t = time.perf_counter()
    r = client.get(path)
    r.raise_for_status()
    return time.perf_counter() - t, len(r.content)


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not match:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return float(match.group(1))


async def _httpx_load(url: str, seconds: float, connections: int) -> float:
    done = 0
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < end:
                (await client.get(url)).raise_for_status()
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return done / (time.perf_counter() - start)


def load(url: str, seconds: int, connections: int) -> tuple[float, str]:
    if shutil.which("wrk"):
        return wrk(url, seconds, connections), "wrk"
    return asyncio.run(_httpx_load(url, seconds, connections)), "httpx"


@dataclass
class Row:
    accounts: int
    points: int
    checks: int
    fill_s: float
    page_cold: float
    page_warm: float
    page_bytes: int
    metrics_cold: float
    metrics_warm: float
    metrics_bytes: int
    api_warm: float
    api_bytes: int
    rps_api: float
    rps_health: float
    tool: str


def measure(n: int, workdir: Path, seconds: int, connections: int) -> Row:
    now = datetime.now(UTC)
    store = Store.open(sqlite_url(workdir / f"web-{n}.db"))
    t = time.perf_counter()
    points, checks = fill(store, n, now)
    fill_s = time.perf_counter() - t
    accounts = [Account(name=f"acct-{i:05d}", provider=PROVIDERS[i % 3]) for i in range(n)]

    async def check_now(names: list[str] | None) -> list[CheckResult]:
        return []

    app = create_app(store=store, accounts=accounts, check_now=check_now)
    try:
        with running(app) as url, httpx.Client(base_url=url, timeout=300) as client:
            page_cold, _ = timed(client, "/")
            warm = [timed(client, "/") for _ in range(5)]
            metrics_cold, _ = timed(client, "/metrics")
            mwarm = [timed(client, "/metrics") for _ in range(5)]
            awarm = [timed(client, "/api/accounts") for _ in range(5)]
            rps_health, tool = load(f"{url}/healthz", seconds, connections)
            rps_api, _ = load(f"{url}/api/accounts", seconds, connections)
    finally:
        store.close()
    return Row(
        n,
        points,
        checks,
        fill_s,
        page_cold,
        statistics.median(x for x, _ in warm),
        warm[0][1],
        metrics_cold,
        statistics.median(x for x, _ in mwarm),
        mwarm[0][1],
        statistics.median(x for x, _ in awarm),
        awarm[0][1],
        rps_api,
        rps_health,
        tool,
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(rows: list[Row], seconds: int, connections: int) -> str:
    lines = [
        "## Web",
        "",
        "`.venv/bin/python -m benchmarks.web_bench --write-readme` rewrites this section. "
        "SQLite history bulk-inserted: 90 days per account, the last 7 days at the hourly "
        "heartbeat and days 8-90 every 6 h, one check per point, 2 % failing. uvicorn (one "
        "process) and the client on the same machine, loopback. Cold = first request after "
        "start (the 7-day summaries and the check counts are computed then); warm = median "
        "of 5, summaries cached (they are recomputed when an account's newest point changes, "
        "or after 5 min).",
        "",
        "| | " + " | ".join(f"{r.accounts:,} accounts" for r in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]

    def line(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    line("balance points / checks stored", [f"{r.points:,} / {r.checks:,}" for r in rows])
    line("`/` dashboard, cold", [ms(r.page_cold) for r in rows])
    line("`/` dashboard, warm", [ms(r.page_warm) for r in rows])
    line("`/` size", [f"{r.page_bytes / 1e6:.1f} MB" for r in rows])
    line("`/metrics`, cold (first scrape counts all checks)", [ms(r.metrics_cold) for r in rows])
    line("`/metrics`, warm", [ms(r.metrics_warm) for r in rows])
    line("`/metrics` size", [f"{r.metrics_bytes / 1e6:.1f} MB" for r in rows])
    line("`/api/accounts`, one request", [ms(r.api_warm) for r in rows])
    line(
        f"`/api/accounts` req/s ({rows[0].tool}, {connections} connections, {seconds} s)",
        [f"{r.rps_api:,.1f}" for r in rows],
    )
    line("baseline `/healthz` req/s, same run", [f"{r.rps_health:,.0f}" for r in rows])
    line("ratio `/api/accounts` / `/healthz`", [f"{r.rps_api / r.rps_health:.4f}" for r in rows])
    line("bulk insert time (not part of the app)", [f"{r.fill_s:.1f} s" for r in rows])
    lines.append("")
    return "\n".join(lines)


def write_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start = text.find("\n## Web\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        rest = "" if end < 0 else text[end:]
        text = text[: start + 1] + section + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seconds", type=int, default=15, help="load test duration")
    parser.add_argument("--connections", type=int, default=4, help="load test connections")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="topup-web-bench-") as tmp:
        for n in args.accounts:
            print(f"{n} accounts ...", flush=True)
            row = measure(n, Path(tmp), args.seconds, args.connections)
            print(row, flush=True)
            rows.append(row)
    section = report(rows, args.seconds, args.connections)
    print(section)
    if args.write_readme:
        write_readme(section)


if __name__ == "__main__":
    main()
