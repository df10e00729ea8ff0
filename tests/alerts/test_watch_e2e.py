"""End to end: a real `topup watch` process, the sandbox spending an account down over real
HTTP, and a real HTTP receiver getting exactly one low-balance alert, then one recovery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from polling import wait_for

from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

from .receiver import Receiver

CANARY = "tok-CANARY-e2e-0123456789abcdef"


def test_spend_down_alerts_once_then_recovers(tmp_path: Path) -> None:
    state = SandboxState()
    state.add_site("shop", "newapi", auth_era="newapi")
    account = state.add_account("shop", token=CANARY, balance="10")
    with SandboxServer(state) as server, Receiver() as receiver:
        config = tmp_path / "config.toml"
        config.write_text(
            f"""
[alerts]
notify = ["{receiver.url("hook")}"]
cooldown = "1h"

[[accounts]]
name = "shop"
provider = "newapi"
base_url = "{server.url}/shop"
access_token = "{CANARY}"
user_id = {account.id}
alerts = {{ below = "5" }}
""",
            encoding="utf-8",
        )
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "topup",
                "watch",
                "--config",
                str(config),
                "--db",
                str(tmp_path / "history.db"),
                "--interval",
                "0.25s",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(1.5)  # several polls at 10 USD: nothing to say
            assert receiver.at("hook") == []

            state.spend("shop", account=account.id, amount="7")  # 3 USD left: below 5
            assert wait_for(lambda: len(receiver.at("hook")) >= 1, 20), "no low-balance alert"
            time.sleep(1.5)  # more polls while it stays low: no repeat
            fired = receiver.at("hook")
            assert len(fired) == 1, [r.title for r in fired]
            assert "shop" in fired[0].message and "3" in fired[0].message

            state.set_balance("shop", account=account.id, balance="20")  # topped up
            assert wait_for(lambda: len(receiver.at("hook")) >= 2, 20), "no recovery message"
            time.sleep(1.0)
            messages = receiver.at("hook")
            assert len(messages) == 2, [r.title for r in messages]
            assert "recover" in (messages[1].title + messages[1].message).lower()
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=20)
        assert proc.returncode == 0, stderr[-2000:]
        everything = stdout + stderr + "".join(r.raw for r in receiver.received)
        assert CANARY not in everything
        assert "check account=shop" in stderr
