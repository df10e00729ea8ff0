"""`topup alerts test` through the real CLI against a real loopback receiver."""

from __future__ import annotations

import contextlib
from pathlib import Path

from typer.testing import CliRunner

from topup.cli import app

from .helpers import account_toml
from .receiver import Receiver, closed_port

TOKEN = "cl1T0kenSECRET4242"


def _run(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["alerts", "test", "--config", str(config)], env={"COLUMNS": "200", "NO_COLOR": "1"}
    )
    output = result.output
    with contextlib.suppress(ValueError):  # older click: stderr not captured apart
        output += result.stderr
    return result.exit_code, output


def _config(tmp_path: Path, notify: str) -> Path:
    path = tmp_path / "topup.toml"
    path.write_text(f"[alerts]\nnotify = {notify}\n\n" + account_toml("acct"), encoding="utf-8")
    return path


def test_sends_one_test_message(tmp_path: Path, receiver: Receiver) -> None:
    code, output = _run(_config(tmp_path, f'["{receiver.url("hook")}"]'))
    assert code == 0, output
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.path == "/hook" and got.title == "topup: test alert"
    assert "topup alerts test" in got.message
    assert "delivered to 1 notify URL" in output


def test_closed_port_fails_readably_without_the_token(tmp_path: Path) -> None:
    url = f"json://hook:{TOKEN}@127.0.0.1:{closed_port()}/path"
    code, output = _run(_config(tmp_path, f'["{url}"]'))
    assert code == 1, output
    assert "failed" in output and "did not accept the test message" in output
    assert "127.0.0.1" in output
    assert TOKEN not in output


def test_no_notify_urls_is_a_config_error_with_a_hint(tmp_path: Path) -> None:
    config = _config(tmp_path, "[]")
    code, output = _run(config)
    assert code == 2
    assert "no notify URLs" in output and "[alerts] notify" in output
    assert str(config) in output


def test_bad_alerts_table_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "topup.toml"
    path.write_text('[alerts]\nbelow = "x"\n', encoding="utf-8")
    code, output = _run(path)
    assert code == 2
    assert "below must be a number" in output
