"""`topup serve` as a real process: the watcher and the web app in one, on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from loopback import free_port
from typer.testing import CliRunner

from topup import demo
from topup.cli.app import app
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState


def test_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[accounts]]\nname="a"\nprovider="siliconflow"\napi_key="sk-x"\n')
    result = CliRunner().invoke(
        app, ["serve", "--config", str(config), "--host", "0.0.0.0", "--db", str(tmp_path / "h.db")]
    )
    assert result.exit_code == 2
    assert "token" in result.output


def test_serve_watches_and_answers(tmp_path: Path) -> None:
    state = SandboxState()
    accounts = demo.populate(state)
    port = free_port()
    with SandboxServer(state) as sandbox:
        config = demo.write_config(tmp_path, sandbox.url, accounts)
        text = config.read_text()
        config.write_text('[serve]\ntoken = "env:DASH_TOKEN"\n\n' + text)
        env = {**os.environ, "DASH_TOKEN": "dash-secret-token-123"}
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
                "1s",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": "Bearer dash-secret-token-123"}
        try:
            deadline = time.monotonic() + 30
            body: list[dict[str, object]] = []
            while time.monotonic() < deadline:
                try:
                    answer = httpx.get(f"{base}/api/accounts", headers=auth, timeout=2)
                    if answer.status_code == 200:
                        body = answer.json()["accounts"]
                        if len(body) == len(accounts) and all(a.get("status") for a in body):
                            break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            assert len(body) == len(accounts), body
            by_name = {a["account"]: a for a in body}
            assert by_name["relay-x"]["status"] == "ok"
            assert by_name["relay-down"]["status"] == "unavailable"
            assert httpx.get(f"{base}/api/accounts", timeout=2).status_code == 401
            assert httpx.get(f"{base}/metrics", headers=auth, timeout=2).status_code == 200
            checked = httpx.post(f"{base}/api/check", headers=auth, json={}, timeout=20)
            assert checked.status_code == 200
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr[-3000:]
        assert "dash-secret-token-123" not in stderr
