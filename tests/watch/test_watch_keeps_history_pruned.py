"""`[storage] keep`: the running watcher prunes old per-poll checks (change points kept)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from loopback import free_port
from sqlalchemy import func, select
from storage.helpers import ok

from topup import service
from topup.config import parse
from topup.storage import Store, sqlite_url
from topup.storage.schema import checks


def test_the_watcher_prunes_what_keep_leaves_out(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "history.db")
    store = Store.open(url)
    # a year-old flat run of 200 polls: its first and last check survive, the rest go
    store.record([(ok("flat", "5", m), None) for m in range(0, 200 * 15, 15)])
    store.close()
    config = parse(
        f'[storage]\nurl = "{url}"\nkeep = "30d"\n[watch]\ninterval = "1h"\n'
        '[[accounts]]\nname = "flat"\nprovider = "siliconflow"\napi_key = "sk-test-123456"\n'
        f'base_url = "http://127.0.0.1:{free_port()}"\n'
    )
    history = service.History.open(url)
    built = service.build(config, history, service.watch_options(config))

    async def main() -> None:
        stop = asyncio.Event()
        watching = asyncio.create_task(service.watch_and_keep(built, stop))
        reader = Store.open(url)
        try:
            for _ in range(200):
                with reader.engine.connect() as conn:
                    old = conn.scalar(select(func.count()).select_from(checks))
                if old is not None and old <= 3:  # first, last and the watcher's own check
                    break
                await asyncio.sleep(0.05)
        finally:
            reader.close()
            stop.set()
            await asyncio.wait_for(watching, 10)

    asyncio.run(main())
    history.close()
    after = Store.open(url)
    with after.engine.connect() as conn:
        times = conn.execute(select(checks.c.checked_at).order_by(checks.c.id)).scalars().all()
    after.close()
    assert len(times) <= 3, len(times)
    assert times[0].minute == 0 and len(times) >= 2  # the run's first check is kept
