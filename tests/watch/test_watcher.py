"""The watch loop against the sandbox over real HTTP, with a real SQLite history file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from topup import config as config_module
from topup import demo
from topup.account import Account
from topup.cli.app import app
from topup.model import CheckResult
from topup.runner import Runner, RunOptions
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.storage import PendingWrites, StorageUnavailable, Store, sqlite_url
from topup.watch import Watcher, WatchOptions


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[SandboxServer, list[demo.DemoAccount]]]:
    state = SandboxState()
    accounts = demo.populate(state)
    with SandboxServer(state) as server:
        yield server, accounts


@pytest.fixture
def demo_config(tmp_path: Path, sandbox: tuple[SandboxServer, list[demo.DemoAccount]]) -> Path:
    server, accounts = sandbox
    return demo.write_config(tmp_path, server.url, accounts)


def good_accounts(path: Path) -> tuple[Account, ...]:
    cfg = config_module.load(path)
    return tuple(a for a in cfg.accounts if a.name in ("siliconflow", "relay-x", "aihubmix"))


def test_watch_once_then_history_and_export(demo_config: Path, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    cli = CliRunner()
    out = cli.invoke(app, ["watch", "--once", "--config", str(demo_config), "--db", str(db)])
    assert out.exit_code == 1, out.output  # like `topup check`: the demo's down site failed
    with Store.open(sqlite_url(db)) as store:
        names = {s.account.name for s in store.latest()}
        latest = {s.account.name: s for s in store.latest()}
    assert "relay-x" in names and "relay-down" in names
    assert latest["relay-down"].last_good is None  # a failed check stores no amount, not zero
    assert latest["relay-x"].last_good is not None

    shown = cli.invoke(
        app, ["history", "relay-x", "--json", "--db", str(db), "-c", str(demo_config)]
    )
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["account"] == "relay-x"
    assert document["points"][0]["currency"] == "USD"
    assert document["checks"][0]["status"] == "ok"

    exported = cli.invoke(
        app, ["export", "--format", "csv", "--db", str(db), "-c", str(demo_config)]
    )
    assert exported.exit_code == 0, exported.output
    lines = exported.stdout.strip().splitlines()
    assert lines[0].startswith("account,provider,status,currency,balance")
    assert len(lines) - 1 == len(config_module.load(demo_config).accounts)
    assert any(line.startswith("relay-down,newapi,unavailable") for line in lines)

    missing = cli.invoke(app, ["history", "nobody", "--db", str(db), "-c", str(demo_config)])
    assert missing.exit_code == 2


class CountingRunner(Runner):
    """Counts checks in flight per account, to prove they never overlap."""

    def __init__(self, options: RunOptions) -> None:
        super().__init__(options)
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.calls = 0

    async def check(self, account: Account) -> CheckResult:
        self.calls += 1
        self.in_flight[account.name] = self.in_flight.get(account.name, 0) + 1
        self.max_in_flight[account.name] = max(
            self.max_in_flight.get(account.name, 0), self.in_flight[account.name]
        )
        try:
            await asyncio.sleep(0.05)
            return await super().check(account)
        finally:
            self.in_flight[account.name] -= 1


def test_scheduled_and_manual_checks_never_overlap(demo_config: Path, tmp_path: Path) -> None:
    accounts = good_accounts(demo_config)
    store = Store.open(sqlite_url(tmp_path / "h.db"))

    async def main() -> CountingRunner:
        runner = CountingRunner(RunOptions(timeout=5))
        options = WatchOptions(interval=0.1, jitter=0.5, start_spread=0.05)
        watcher = Watcher(accounts, store, options=options, runner=runner)
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        for _ in range(5):  # manual checks racing the schedule
            await watcher.check_now()
            await asyncio.sleep(0.05)
        stop.set()
        await task
        await runner.aclose()
        return runner

    runner = asyncio.run(main())
    assert runner.calls >= 3 * len(accounts) + 5
    assert max(runner.max_in_flight.values()) == 1
    stored = sum(len(store.check_history(a.name)) for a in accounts)
    assert stored == runner.calls  # every check, scheduled or manual, was written
    store.close()


def test_stop_finishes_in_flight_checks(
    sandbox: tuple[SandboxServer, list[demo.DemoAccount]], demo_config: Path, tmp_path: Path
) -> None:
    server, _ = sandbox
    state = server.state
    fault = state.set_fault("relay-x", "latency", latency_ms=700, times=1000)
    accounts = tuple(a for a in good_accounts(demo_config) if a.name == "relay-x")
    store = Store.open(sqlite_url(tmp_path / "h.db"))

    async def main() -> float:
        watcher = Watcher(accounts, store, options=WatchOptions(interval=60, start_spread=0.01))
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        deadline = time.monotonic() + 10
        while fault.times == 1000 and time.monotonic() < deadline:  # no request arrived yet
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the first check is now waiting on the slow answer
        stop.set()
        started = time.monotonic()
        await task
        return time.monotonic() - started

    try:
        waited = asyncio.run(main())
    finally:
        state.clear_faults("relay-x")
    assert 0.2 < waited < 5
    checks = store.check_history("relay-x")
    assert len(checks) == 1 and checks[0].status.value == "ok"
    assert fault is not None
    store.close()


def test_results_wait_in_memory_while_the_database_is_down(
    demo_config: Path, tmp_path: Path
) -> None:
    accounts = good_accounts(demo_config)
    url = sqlite_url(tmp_path / "h.db")
    down = {"value": True}
    opened: list[Store] = []

    def opener() -> Store:
        if down["value"]:
            raise StorageUnavailable("database is down (test)")
        opened.append(Store.open(url))
        return opened[-1]

    pending = PendingWrites(opener)

    async def main() -> int:
        options = WatchOptions(interval=0.15, jitter=0, start_spread=0.01, retry_every=0.1)
        watcher = Watcher(accounts, pending, options=options)
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        await asyncio.sleep(0.6)
        waiting = pending.pending
        down["value"] = False  # the database returns
        await asyncio.sleep(0.5)
        stop.set()
        await task
        return waiting

    waiting = asyncio.run(main())
    assert waiting >= len(accounts)  # results were kept while it was down
    assert pending.pending == 0 and pending.dropped == 0
    store = opened[0]
    for account in accounts:
        times = [c.checked_at for c in store.check_history(account.name)]
        assert len(times) >= 3
        assert times == sorted(times)  # written in order
    store.close()


def stored_checks(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM checks").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def test_kill_9_keeps_every_committed_check(demo_config: Path, tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    command = [
        sys.executable,
        "-m",
        "topup",
        "watch",
        "--config",
        str(demo_config),
        "--db",
        str(db),
        "--interval",
        "0.1s",
    ]
    committed = 0
    for round_ in range(3):
        proc = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while stored_checks(db) < committed + 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        seen = stored_checks(db)  # committed: visible to another connection
        assert seen >= committed + 10, "the watcher did not record checks"
        time.sleep(0.05 * round_)  # kill at different moments of the write cycle
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = stored_checks(db)
        assert after >= seen  # nothing that was committed is lost
        committed = after
    with Store.open(sqlite_url(db)) as store:  # and the file still opens for the next run
        assert store.latest()
