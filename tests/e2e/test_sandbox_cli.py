"""`topup sandbox --seed-demo` as a real process, and `topup check` on the config it prints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from loopback import free_port


def start(port: int, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "topup", "sandbox", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_sandbox/state", timeout=1).is_success:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the sandbox did not start")


def stop(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGINT)
    proc.communicate(timeout=20)


def check(config: Path) -> tuple[int, dict[str, dict[str, object]]]:
    done = subprocess.run(
        [sys.executable, "-m", "topup", "check", "--json", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, {r["account"]: r for r in json.loads(done.stdout)["results"]}


def test_seeded_sandbox_serves_the_demo_config(tmp_path: Path) -> None:
    port = free_port()
    state = tmp_path / "sandbox.db"
    config = tmp_path / "demo.toml"
    proc = start(port, "--seed-demo", "--state", str(state))
    try:
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        config.write_text(proc.stdout.read(), encoding="utf-8")  # printed before serving
        code, results = check(config)
    finally:
        stop(proc)
    assert code == 1  # the demo's down site and retired endpoint, on purpose
    assert results["relay-x"]["status"] == "ok"
    assert results["siliconflow-cn"]["currency"] == "CNY"
    assert results["siliconflow-old"]["status"] == "endpoint_retired"
    assert results["relay-down"]["status"] == "unavailable"

    proc = start(port, "--state", str(state))  # restart on the same state file
    try:
        code, results = check(config)
    finally:
        stop(proc)
    # accounts and keys persist in the state file; injected faults live in memory only
    assert results["relay-x"]["status"] == "ok"
    assert results["relay-down"]["status"] == "ok"
    assert code == 3  # relay-x-key is below its min_balance
