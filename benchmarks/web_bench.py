"""Web benchmark: server time of ``/`` and ``/metrics``, requests per second of ``/api/accounts``.

``.venv/bin/python -m benchmarks.web_bench`` (``--accounts 1000 10000``, ``--write-readme``,
``--db-dir DIR`` to keep and reuse the generated histories).

The app runs in its own process (``--serve``: the web app exactly as ``topup serve`` builds it,
without the watcher), so its peak RSS (``VmHWM``) is its own. Each document is compared with a
static file of the same bytes served by the same server stack (uvicorn + Starlette's
``StaticFiles``, mounted on the same app), in the same run.

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
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from topup.account import Account
from topup.model import CheckResult, Status
from topup.storage import Store, sqlite_url
from topup.web import create_app

if sys.platform != "linux":  # VmHWM comes from /proc
    raise SystemExit("the web benchmark reads /proc: Linux only")

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
            prows: list[tuple[object, ...]] = []
            crows: list[tuple[object, ...]] = []
            last_good: list[tuple[str, int]] = []
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
def running(app: Any) -> Iterator[str]:
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
    first_load: float
    summaries_s: float
    page_cold: float
    page_warm: float
    page_bytes: int
    metrics_cold: float
    metrics_warm: float
    metrics_bytes: int
    api_warm: float
    api_bytes: int
    metrics_changed: float
    api_changed: float
    rps_api: float
    rps_api_static: float
    rps_page: float
    rps_page_static: float
    page_api_bytes: int
    rps_metrics: float
    rps_metrics_static: float
    rps_health: float
    peak_rss_mb: float
    tool: str
    load: tuple[float, float]  # the machine's 1-minute load average at the start and the end


def serve_child(db: Path, n: int, static: Path) -> None:
    """``--serve``: the web app over ``db`` in this process; prints its URL, runs until killed."""
    from fastapi.staticfiles import StaticFiles

    store = Store.open(sqlite_url(db))
    accounts = [Account(name=f"acct-{i:05d}", provider=PROVIDERS[i % 3]) for i in range(n)]

    async def check_now(names: list[str] | None) -> list[CheckResult]:
        return []

    app = create_app(store=store, accounts=accounts, check_now=check_now)
    app.mount("/bench-static", StaticFiles(directory=static), name="bench-static")
    with running(app) as url:
        print(url, flush=True)
        # As `topup serve` does once it listens: prepare the dashboard in the background.
        threading.Thread(target=app.state.board.views, daemon=True).start()
        threading.Event().wait()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(n: int, workdir: Path, seconds: int, connections: int) -> Row:
    now = datetime.now(UTC)
    db = workdir / f"web-{n}.db"
    fill_s = points = checks = 0.0
    if not db.exists():
        store = Store.open(sqlite_url(db))
        t = time.perf_counter()
        points, checks = fill(store, n, now)
        fill_s = time.perf_counter() - t
        store.close()
    else:
        store = Store.open(sqlite_url(db))
        with store.engine.connect() as conn:
            points = conn.exec_driver_sql("SELECT count(*) FROM balances").scalar() or 0
            checks = conn.exec_driver_sql("SELECT count(*) FROM checks").scalar() or 0
        store.close()
    load_start = os.getloadavg()[0]
    static = workdir / f"static-{n}"
    static.mkdir(exist_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.web_bench", "--serve", str(db), str(n), str(static)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        with httpx.Client(base_url=url, timeout=300) as client:
            first_load, _ = timed(client, "/")
            first_load = time.perf_counter() - started  # process start to the first page
            page_cold, _ = timed(client, "/")
            # The background summaries (computed in account order: the last one comes last),
            # then the warm numbers.
            while '"summary_pending":true' in client.get(f"/api/accounts?per_page=1&page={n}").text:
                time.sleep(0.2)
            summaries_s = time.perf_counter() - started
            warm = [timed(client, "/") for _ in range(5)]
            metrics_cold, _ = timed(client, "/metrics")
            mwarm = [timed(client, "/metrics") for _ in range(5)]
            awarm = [timed(client, "/api/accounts") for _ in range(5)]
            # One check stored by another writer (as the watcher does): the next documents
            # format only what changed.
            writer = Store.open(sqlite_url(db))
            writer.record(
                [
                    (
                        CheckResult.failure(
                            "acct-00000",
                            PROVIDERS[0],
                            Status.UNREACHABLE,
                            "refused",
                            checked_at=datetime.now(UTC),
                        ),
                        "fp",
                    )
                ]
            )
            writer.close()
            metrics_changed, _ = timed(client, "/metrics")
            api_changed, _ = timed(client, "/api/accounts")
            docs = {
                "api.json": client.get("/api/accounts").content,
                "page.json": client.get("/api/accounts?per_page=100&page=2").content,
                "metrics.txt": client.get("/metrics").content,
            }
        for name, body in docs.items():
            (static / name).write_bytes(body)
        rps_health, tool = load(f"{url}/healthz", seconds, connections)
        rps_api, _ = load(f"{url}/api/accounts", seconds, connections)
        rps_api_static, _ = load(f"{url}/bench-static/api.json", seconds, connections)
        rps_page, _ = load(f"{url}/api/accounts?per_page=100&page=2", seconds, connections)
        rps_page_static, _ = load(f"{url}/bench-static/page.json", seconds, connections)
        rps_metrics, _ = load(f"{url}/metrics", seconds, connections)
        rps_metrics_static, _ = load(f"{url}/bench-static/metrics.txt", seconds, connections)
        rss = peak_rss_mb(child.pid)
    finally:
        child.kill()
        child.wait()
    return Row(
        n,
        int(points),
        int(checks),
        fill_s,
        first_load,
        summaries_s,
        page_cold,
        statistics.median(x for x, _ in warm),
        warm[0][1],
        metrics_cold,
        statistics.median(x for x, _ in mwarm),
        mwarm[0][1],
        statistics.median(x for x, _ in awarm),
        awarm[0][1],
        metrics_changed,
        api_changed,
        rps_api,
        rps_api_static,
        rps_page,
        rps_page_static,
        len(docs["page.json"]),
        rps_metrics,
        rps_metrics_static,
        rps_health,
        rss,
        tool,
        (load_start, os.getloadavg()[0]),
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


HEADING = "## Web"
#: An older section this one replaces.
OLD_HEADINGS = ("## Web at 1,000 and 10,000 accounts (in-memory index)",)


def report(rows: list[Row], seconds: int, connections: int) -> str:
    lines = [
        HEADING,
        "",
        "`.venv/bin/python -m benchmarks.web_bench --write-readme` rewrites this section "
        "(`--db-dir DIR` keeps the generated histories for the next run). SQLite history "
        "bulk-inserted: 90 days per account, the last 7 days at the hourly heartbeat and days "
        "8-90 every 6 h, one check per point, 2 % failing. The app runs in its own process "
        "(`create_app` as `topup serve` builds it, under uvicorn, without the watcher), the "
        "client on the same machine over loopback. Each document is compared with a static file "
        "of the same bytes served by the same app (Starlette `StaticFiles`), same run. First "
        "load = from starting the server process to the first `/` answer: the index reads every "
        "account's latest state (one query); the 7-day summaries and the count of stored checks "
        "start in the background once that page is served (shown as pending meanwhile). Warm = "
        "median of 5 once every summary is known.",
        "",
        "| | " + " | ".join(f"{r.accounts:,} accounts" for r in rows) + " | goal |",
        "|---|" + "---|" * len(rows) + "---|",
    ]

    def line(label: str, values: list[str], goal: str = "", met: list[bool] | None = None) -> None:
        if met is not None:
            if all(met):
                goal += ": met"
            elif not any(met):
                goal += ": **not met**"
            else:
                sizes = [f"{r.accounts:,}" for r, m in zip(rows, met, strict=True) if not m]
                goal += f": **not met** at {', '.join(sizes)}"
        lines.append(f"| {label} | " + " | ".join(values) + f" | {goal} |")

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}×" if a else "n/a"

    tool = f"{rows[0].tool}, {connections} connections, {seconds} s each"
    line("balance points / checks stored", [f"{r.points:,} / {r.checks:,}" for r in rows])
    line(
        "first load after start (process start → `/`)",
        [ms(r.first_load) for r in rows],
        "≤ 2 s",
        [r.first_load <= 2 for r in rows],
    )
    line("`/` again right after", [ms(r.page_cold) for r in rows])
    line(
        "every 7-day summary ready (process start → none pending)",
        [ms(r.summaries_s) for r in rows],
    )
    line("`/` warm (100 accounts per page)", [ms(r.page_warm) for r in rows])
    line("`/metrics` first / warm", [f"{ms(r.metrics_cold)} / {ms(r.metrics_warm)}" for r in rows])
    line("`/api/accounts` full list, one request", [ms(r.api_warm) for r in rows])
    line(
        "after one more check is stored: `/metrics` / full list",
        [f"{ms(r.metrics_changed)} / {ms(r.api_changed)}" for r in rows],
    )
    line(
        f"`/api/accounts` full list req/s vs static file of its bytes ({tool})",
        [f"{r.rps_api:,.1f} vs {r.rps_api_static:,.1f} ({r.api_bytes / 1e6:.1f} MB)" for r in rows],
    )
    line(
        "… static / full list",
        [ratio(r.rps_api, r.rps_api_static) for r in rows],
        "≤ 3×",
        [r.rps_api_static <= 3 * r.rps_api for r in rows],
    )
    line(
        "`/api/accounts?per_page=100&page=2` req/s vs static file of its bytes",
        [
            f"{r.rps_page:,.0f} vs {r.rps_page_static:,.0f} ({r.page_api_bytes / 1e3:.0f} kB)"
            for r in rows
        ],
    )
    line(
        "… static / page",
        [ratio(r.rps_page, r.rps_page_static) for r in rows],
        "≤ 3×",
        [r.rps_page_static <= 3 * r.rps_page for r in rows],
    )
    line(
        "`/metrics` req/s vs static file of its bytes",
        [
            f"{r.rps_metrics:,.1f} vs {r.rps_metrics_static:,.1f} ({r.metrics_bytes / 1e6:.1f} MB)"
            for r in rows
        ],
    )
    line(
        "… static / `/metrics`",
        [ratio(r.rps_metrics, r.rps_metrics_static) for r in rows],
        "≤ 3×",
        [r.rps_metrics_static <= 3 * r.rps_metrics for r in rows],
    )
    line("baseline `/healthz` req/s, same run", [f"{r.rps_health:,.0f}" for r in rows])
    line(
        "server peak RSS (VmHWM)",
        [f"{r.peak_rss_mb:,.0f} MB" for r in rows],
        "≤ 300 MB",
        [r.peak_rss_mb <= 300 for r in rows],
    )
    line(
        f"machine load average (1 min) at start / end, {os.cpu_count()} cores",
        [f"{r.load[0]:.1f} / {r.load[1]:.1f}" for r in rows],
    )
    line("bulk insert time (not part of the app; 0 = reused)", [f"{r.fill_s:.1f} s" for r in rows])
    lines.append("")
    return "\n".join(lines)


def write_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    for heading in OLD_HEADINGS:
        at = text.find("\n" + heading + "\n")
        if at >= 0:
            end = text.find("\n## ", at + 1)
            text = text[: at + 1] + ("" if end < 0 else text[end + 1 :])
    start = text.find("\n" + HEADING + "\n")
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
    parser.add_argument("--db-dir", type=Path, help="keep (and reuse) the histories here")
    parser.add_argument("--serve", nargs=3, metavar=("DB", "N", "STATIC"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_child(Path(args.serve[0]), int(args.serve[1]), Path(args.serve[2]))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="topup-web-bench-") as tmp:
        workdir = args.db_dir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in args.accounts:
            print(f"{n} accounts ...", flush=True)
            row = measure(n, workdir, args.seconds, args.connections)
            print(row, flush=True)
            rows.append(row)
    section = report(rows, args.seconds, args.connections)
    print(section)
    if args.write_readme:
        write_readme(section)


if __name__ == "__main__":
    main()
