"""Three real workers (two `topup watch`, one `topup serve`) share nine sandbox accounts through
one PostgreSQL (``[watch] lease``); one is killed with SIGKILL while it holds leases.

Every account is checked about once per interval across the workers: never twice within an
interval, never skipped for longer than one lease period; the killed worker's accounts are
taken over once its leases run out; a balance falling below the alert threshold notifies the
receiver exactly once, and the recovery exactly once; the dashboard of the serving worker
shows every account, whoever checked it.
"""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import httpx
import pytest
from alerts.receiver import Receiver
from loopback import free_port
from polling import wait_for
from sqlalchemy import text
from storage.conftest import PgSchema, postgres_base_url

from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.storage import Store

pytestmark = pytest.mark.postgres

INTERVAL = 2.0
LEASE = 3.0
JITTER = 0.1  # WatchOptions().jitter: a shared worker waits interval to interval × 1.1
LATENCY_MS = 400  # each check takes this long, so a worker is often caught holding leases
#: What a check, a claim and a write may add on a machine busy with other tests.
SLACK = 2.0
NAMES = [f"w{i}" for i in range(9)]
TOKEN = "tok-CANARY-shared-0123456789abcdef"


@pytest.fixture
def schema() -> Iterator[PgSchema]:
    pg = PgSchema(postgres_base_url())
    try:
        yield pg
    finally:
        pg.drop()


def write_config(path: Path, url: str, sandbox: str, ids: dict[str, int], hook: str) -> None:
    accounts = "".join(
        f"""
[[accounts]]
name = "{name}"
provider = "newapi"
base_url = "{sandbox}/shop"
access_token = "{TOKEN}{name}"
user_id = {ids[name]}
{'alerts = { below = "5" }' if name == "w0" else ""}
"""
        for name in NAMES
    )
    path.write_text(
        f"""
[storage]
url = "{url}"

[watch]
interval = "{INTERVAL:g}s"
lease = "{LEASE:g}s"

[check]
timeout = 3

[alerts]
notify = ["{hook}"]
cooldown = "1h"
{accounts}""",
        encoding="utf-8",
    )


def start(args: list[str], config: Path, log: IO[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "topup", *args, "--config", str(config)],
        stdout=log,
        stderr=log,
        text=True,
    )


def holders(store: Store) -> dict[str, str]:
    """Account -> the worker holding a live lease on it."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT account, holder FROM account_leases "
                "WHERE holder IS NOT NULL AND leased_until > now()"
            )
        ).all()
    return {str(a): str(h) for a, h in rows}


def test_three_workers_share_the_accounts_and_survive_a_kill(
    schema: PgSchema, tmp_path: Path
) -> None:
    state = SandboxState()
    state.add_site("shop", "newapi", auth_era="newapi")
    ids = {n: state.add_account("shop", token=TOKEN + n, balance="10").id for n in NAMES}
    state.set_fault("shop", "latency", latency_ms=LATENCY_MS)
    port = free_port()
    with SandboxServer(state) as sandbox, Receiver() as receiver, Store.open(schema.url) as store:
        config = tmp_path / "config.toml"
        write_config(config, schema.url, sandbox.url, ids, receiver.url("hook"))
        logs = [(tmp_path / f"worker{i}.log").open("w+", encoding="utf-8") for i in range(3)]
        workers = [
            start(["watch"], config, logs[0]),
            start(["watch"], config, logs[1]),
            start(["serve", "--port", str(port)], config, logs[2]),
        ]
        started = datetime.now(UTC)
        try:
            # Everyone is checked (and stays so), whoever got there first.
            assert wait_for(lambda: len(store.latest()) == len(NAMES), 25), (
                "not every account checked"
            )

            # Kill a watch worker at a moment it holds leases: checks it will never store.
            victim = workers[0]
            tag = f":{victim.pid}:"
            held: list[str] = []

            def victim_holds() -> bool:
                held[:] = sorted(a for a, h in holders(store).items() if tag in h)
                return bool(held)

            assert wait_for(victim_holds, timeout=20), "the worker never held a lease"
            victim.send_signal(signal.SIGKILL)
            killed_at = datetime.now(UTC)
            victim.wait(10)

            # One alert when the balance falls below 5, one recovery when it is topped up.
            state.spend("shop", account=ids["w0"], amount="7")
            assert wait_for(lambda: len(receiver.at("hook")) >= 1, 25), "no low-balance alert"
            time.sleep(2 * INTERVAL)  # more checks while low, by any worker: no repeat
            assert len(receiver.at("hook")) == 1, [r.title for r in receiver.at("hook")]
            state.set_balance("shop", account=ids["w0"], balance="20")
            assert wait_for(lambda: len(receiver.at("hook")) >= 2, 25), "no recovery"
            time.sleep(INTERVAL + LEASE)  # the killed worker's leases have long run out

            # The dashboard of the serving worker shows every account, whoever checked it.
            answer = httpx.get(f"http://127.0.0.1:{port}/api/accounts", timeout=5).json()
            shown = {a["account"]: a for a in answer["accounts"]}
            assert sorted(shown) == NAMES
            assert all(a["status"] == "ok" for a in shown.values()), shown
        finally:
            for worker in workers[1:]:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            codes = [w.wait(30) for w in workers]
        stopped = datetime.now(UTC)
        output = []
        for log in logs:
            log.seek(0)
            output.append(log.read())
            log.close()
        assert codes[0] == -signal.SIGKILL
        assert codes[1:] == [0, 0], output[1:]

        messages = receiver.at("hook")
        assert len(messages) == 2, [m.title for m in messages]
        assert "recover" in (messages[1].title + messages[1].message).lower()
        sent = store.alert_history("w0")
        assert [a.kind for a in sent] == ["fired", "recovered"]

        interval = timedelta(seconds=INTERVAL)
        longest = timedelta(seconds=INTERVAL * (1 + JITTER) + LEASE + SLACK)
        takeover: list[float] = []
        every: list[float] = []
        for name in NAMES:
            times = [c.checked_at for c in store.check_history(name)]
            assert times and times[0] - started < timedelta(seconds=INTERVAL + 15)
            gaps = [b - a for a, b in itertools.pairwise(times)]
            assert min(gaps) >= interval, (name, min(gaps))  # never twice in an interval
            assert max(gaps) <= longest, (name, max(gaps))  # never skipped past a lease
            every += [g.total_seconds() for g in gaps]
            assert stopped - times[-1] <= longest
            if name in held:
                after = [t for t in times if t > killed_at]
                assert after, name
                takeover.append((after[0] - killed_at).total_seconds())
        assert takeover and max(takeover) <= LEASE + SLACK, takeover
        # Both survivors did part of the work after the kill.
        for log in output[1:]:
            assert "check account=" in log
        assert all(TOKEN not in log for log in output)
        print(
            f"gaps between checks of an account: min {min(every):.2f} s, "
            f"mean {sum(every) / len(every):.2f} s, max {max(every):.2f} s "
            f"(interval {INTERVAL:g} s, lease {LEASE:g} s); takeover after kill -9: "
            f"{', '.join(f'{t:.2f}' for t in takeover)} s for {', '.join(held)}"
        )
