"""`topup sandbox`: port range, busy port, serving on the socket it bound."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.cli.app import app as cli_app


def test_cli_port_out_of_range_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli_app, ["sandbox", "--port", "99999"])
    assert result.exit_code == 2 and result.exception is not None
    assert "Traceback" not in result.output and "--port" in result.output


def test_cli_busy_port_exits_1_before_printing_a_config() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["sandbox", "--port", str(port), "--seed-demo"])
    assert result.exit_code == 1, result.output
    assert f"could not listen on 127.0.0.1:{port}; is the port in use?" in result.output
    assert "[[accounts]]" not in result.output and "Traceback" not in result.output


def test_cli_serves_on_the_socket_it_bound() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "topup", "sandbox", "--port", "0", "--seed-demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        url = ""
        deadline = time.monotonic() + 20
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "sandbox on " in line:
                url = line.split("sandbox on ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        for _ in range(100):
            with contextlib.suppress(httpx.TransportError):
                r = httpx.get(url + "/_sandbox/state", timeout=2)
                break
            time.sleep(0.1)
        assert r.status_code == 200 and len(r.json()["sites"]) > 0
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
