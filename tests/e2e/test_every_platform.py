"""Every registered platform end to end against its own imitation: the demo's accounts through
`topup check`, then a real `topup serve` (watcher, REST API, dashboard, /metrics)."""

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
from prometheus_client.parser import text_string_to_metric_families

from topup import demo
from topup.platforms import all_providers
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState


def test_every_platform_checks_watches_and_is_served(tmp_path: Path) -> None:
    state = SandboxState()
    accounts = demo.populate(state)
    assert {a.provider for a in accounts} == set(all_providers()), "a platform has no demo"
    expect = {a.name: a.expect for a in accounts}
    with SandboxServer(state) as sandbox:
        config = demo.write_config(tmp_path, sandbox.url, accounts)
        checked = subprocess.run(
            [sys.executable, "-m", "topup", "check", "--json", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        results = {r["account"]: r for r in json.loads(checked.stdout)["results"]}
        assert {n: r["status"] for n, r in results.items()} == expect, checked.stderr[-2000:]
        for name, r in results.items():
            if r["status"] == "ok":  # something is known: money, several currencies or windows
                known_value = r["balance"] is not None or r["balances"] or r["windows"]
                assert known_value or r["unlimited"], name
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "topup",
                "serve",
                "--config",
                str(config),
                "--db",
                str(tmp_path / "h.db"),
                "--port",
                str(port),
                "--interval",
                "1h",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            served: dict[str, dict[str, object]] = {}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(served) < len(accounts):
                try:
                    answer = httpx.get(f"{base}/api/accounts", timeout=5)
                    if answer.status_code == 200:
                        served = {
                            a["account"]: a for a in answer.json()["accounts"] if a.get("status")
                        }
                except httpx.TransportError:
                    pass
                time.sleep(0.3)
            assert {n: a["status"] for n, a in served.items()} == expect
            page = httpx.get(f"{base}/", timeout=10).text
            for name in expect:
                assert name in page
            metrics = httpx.get(f"{base}/metrics", timeout=10).text
            shown = {
                s.labels["account"]
                for family in text_string_to_metric_families(metrics)
                if family.name in ("topup_balance", "topup_window_left_percent")
                for s in family.samples
            }
            known = {n for n, r in results.items() if r["balance"] is not None or r["windows"]}
            assert known <= shown
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr[-3000:]
