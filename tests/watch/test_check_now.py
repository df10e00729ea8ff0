"""`Watcher.check_now` (the dashboard's Check now): exactly the accounts asked for, finished."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from replay import dumps

from topup.account import Account
from topup.config import build_account
from topup.runner import Runner, RunOptions
from topup.storage import Store, sqlite_url
from topup.watch import Watcher


def test_an_empty_list_checks_no_account(tmp_path: Path) -> None:
    accounts = [Account(name="a", provider="siliconflow", base_url="http://127.0.0.1:9")]
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:
        watcher = Watcher(accounts, store)
        assert asyncio.run(watcher.check_now([])) == []
        assert watcher.checks == 0


def test_a_check_asked_for_at_shutdown_is_finished(tmp_path: Path) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.5)
        return httpx.Response(
            200, text=dumps({"code": 20000, "status": True, "data": {"totalBalance": "3"}})
        )

    account = build_account(
        {"name": "a", "provider": "siliconflow", "api_key": "sk-slow-0001"}, env={}
    )
    store = Store.open(sqlite_url(tmp_path / "h.db"))

    async def main() -> str:
        runner = Runner(RunOptions(timeout=5), transport=httpx.MockTransport(slow))
        watcher = Watcher([account], store, runner=runner)
        watcher.options = type(watcher.options)(interval=3600, start_spread=3600)
        stop = asyncio.Event()
        running = asyncio.create_task(watcher.run(stop))
        await asyncio.sleep(0.05)
        asked = asyncio.create_task(watcher.check_now())
        await asyncio.sleep(0.1)
        stop.set()  # the dashboard's Check now is in flight
        await running
        results = await asked
        return results[0].status.value

    assert asyncio.run(main()) == "ok"
    assert [c.status.value for c in store.check_history("a")] == ["ok"]
    store.close()
