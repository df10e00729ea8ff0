"""A check's log line is written once the database holds the check (or it says ``pending``).

Before, the line was logged when the check finished and the check was committed later by the
writer task: a ``kill -9`` in between lost checks the log had already reported.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from cli_helpers import write_config
from fixtures_loopback import loopback, sf_account, sf_ok
from loopback import Loopback

from topup.storage import PendingWrites, StorageUnavailable, Store, sqlite_url
from topup.watch import Watcher, WatchOptions

__all__ = ["loopback"]

NAMES = ["a", "b", "c", "d"]


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM checks").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


class Lines(logging.Handler):
    """Collects the watcher's check lines; each time one is logged, counts the stored checks."""

    def __init__(self, db: Path) -> None:
        super().__init__(logging.INFO)
        self.db = db
        self.lines: list[tuple[str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith("check "):
            self.lines.append((text, stored(self.db)))


@pytest.fixture
def lines(tmp_path: Path) -> Iterator[Lines]:
    handler = Lines(tmp_path / "h.db")
    logger = logging.getLogger("topup.watch")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_no_line_is_logged_before_its_check_is_committed(
    loopback: Loopback, tmp_path: Path, lines: Lines
) -> None:
    loopback.route(*(sf_ok(n, "5") for n in NAMES))
    accounts = [sf_account(loopback, n) for n in NAMES]
    store = Store.open(sqlite_url(lines.db))

    async def main() -> None:
        options = WatchOptions(interval=0.1, jitter=0.2, start_spread=0.05)
        watcher = Watcher(accounts, store, options=options)
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        await watcher.check_now()
        await asyncio.sleep(0.5)
        stop.set()
        await task

    asyncio.run(main())
    store.close()
    assert len(lines.lines) >= 2 * len(NAMES)
    for logged, (text, committed) in enumerate(lines.lines, start=1):
        assert "pending" not in text
        assert committed >= logged, f"line {logged} logged with {committed} checks stored"
    assert stored(lines.db) == len(lines.lines)


def test_lines_say_pending_while_the_database_is_down(
    loopback: Loopback, tmp_path: Path, lines: Lines
) -> None:
    loopback.route(*(sf_ok(n, "5") for n in NAMES))
    accounts = [sf_account(loopback, n) for n in NAMES]
    down = {"value": True}
    opened: list[Store] = []

    def opener() -> Store:
        if down["value"]:
            raise StorageUnavailable("database is down (test)")
        opened.append(Store.open(sqlite_url(lines.db)))
        return opened[-1]

    async def main() -> int:
        options = WatchOptions(interval=0.1, jitter=0, start_spread=0.01, retry_every=0.05)
        watcher = Watcher(accounts, PendingWrites(opener), options=options)
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        await asyncio.sleep(0.35)
        while_down = len(lines.lines)
        down["value"] = False
        await asyncio.sleep(0.4)
        stop.set()
        await task
        return while_down

    while_down = asyncio.run(main())
    for store in opened:
        store.close()
    assert while_down >= len(NAMES)
    for text, _ in lines.lines[:while_down]:
        assert text.endswith(" pending=true"), text
    later = [text for text, _ in lines.lines[while_down:]]
    assert later and any("pending" not in text for text in later)


def test_kill_9_loses_no_check_that_was_logged(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(*(sf_ok(n, "5") for n in NAMES))
    accounts = [
        {
            "name": n,
            "provider": "siliconflow",
            "api_key": f"sk-kill-{n}-00000000",
            "base_url": f"{loopback.url}/{n}",
        }
        for n in NAMES
    ]
    config = write_config(tmp_path, accounts)
    db = tmp_path / "kill.db"
    command = [sys.executable, "-m", "topup", "watch", "-c", str(config), "--db", str(db)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPUP_")}
    logged: list[str] = []

    def read(stream: IO[str]) -> None:
        logged.extend(line for line in stream if " check account=" in line)

    for round_ in range(3):  # killed at different moments of the write cycle
        proc = subprocess.Popen(
            [*command, "--interval", "0.05s"], stderr=subprocess.PIPE, text=True, env=env
        )
        stderr = proc.stderr
        assert stderr is not None
        reader = threading.Thread(target=read, args=(stderr,), daemon=True)
        reader.start()
        start, deadline = len(logged), time.monotonic() + 60
        while len(logged) < start + 20 + 5 * round_ and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join(10)
        committed = [line for line in logged if "pending=true" not in line]
        assert len(committed) >= 20 * (round_ + 1)
        assert stored(db) >= len(committed), f"{len(committed)} checks logged, {stored(db)} kept"
