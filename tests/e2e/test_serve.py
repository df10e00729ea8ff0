"""`topup serve` as a real process: the watcher and the web app in one, on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cli_helpers import invoke, write_config
from fixtures_loopback import loopback, sf_ok
from loopback import Loopback, free_port
from typer.testing import CliRunner

from topup import demo
from topup.cli.app import app
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.storage import Store, sqlite_url

__all__ = ["loopback"]


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


#: A config with one account, switched off: serve starts with nothing to check.
DISABLED = """
[[accounts]]
name = "off"
provider = "siliconflow"
api_key = "sk-off-123456"
enabled = false
"""


def test_serve_help_and_refusal_show_brackets(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(DISABLED)
    result = invoke(["serve", "-c", str(path), "--host", "0.0.0.0", "--db", str(tmp_path / "h")])
    assert result.exit_code == 2 and "[serve] token" in result.output


def test_serve_on_a_busy_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = tmp_path / "c.toml"
        config.write_text(DISABLED)
        out = CliRunner().invoke(
            app,
            ["serve", "--config", str(config), "--db", str(tmp_path / "h.db"), "--port", str(port)],
        )
    assert out.exit_code == 1
    assert "could not listen" in out.output


def wait_for(url: str, status: int, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = httpx.get(url, timeout=2)
            if answer.status_code == status:
                return answer
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer {status}")
        time.sleep(0.1)


@pytest.mark.timeout(90)
def test_serve_starts_with_the_database_down_and_writes_when_it_returns(
    loopback: Loopback, tmp_path: Path
) -> None:
    """Like `topup watch`: it starts, says the history is unavailable, and catches up."""
    loopback.route(sf_ok("a", "12.5"))
    account = {"name": "a", "provider": "siliconflow", "api_key": "sk-dbdown-000001"}
    config = write_config(tmp_path, [{**account, "base_url": f"{loopback.url}/a"}])
    folder = tmp_path / "not-yet"  # SQLite cannot create a file in a missing folder
    db = folder / "h.db"
    port = free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "topup", "serve", "-c", str(config), "--db", str(db)),
            *("--port", str(port), "--interval", "1s"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", 200)
        down = wait_for(f"{base}/api/accounts", 503)
        assert down.json() == {"detail": "history database unavailable"}
        time.sleep(1.5)  # checks happen meanwhile; their results wait in memory
        assert loopback.count("/a/v1/user/info") >= 1
        folder.mkdir()  # the database becomes usable
        up = wait_for(f"{base}/api/accounts", 200)
        deadline = time.monotonic() + 30
        while up.json()["accounts"][0].get("status") != "ok" and time.monotonic() < deadline:
            time.sleep(0.2)
            up = httpx.get(f"{base}/api/accounts", timeout=2)
        assert up.json()["accounts"][0]["status"] == "ok"
        assert up.json()["accounts"][0]["balance"] == "12.5"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr[-3000:]
    assert "unreachable at start" in stderr
    with Store.open(sqlite_url(db)) as store:
        assert len(store.check_history("a")) >= 2  # the waiting ones too, not only the last
