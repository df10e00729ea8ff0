"""`topup config check`: a config is validated and listed without any network access."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import ROOT, WIDE, invoke, restore_logging, write_config

import topup.cli.configure  # noqa: F401  (registers `topup config`)

__all__ = ["restore_logging"]

pytestmark = pytest.mark.usefixtures("restore_logging")


class Listener:
    """A TCP port on 127.0.0.1 that counts every connection made to it (and closes it)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server


def accounts(base_url: str) -> list[dict[str, object]]:
    return [
        {
            "name": "relay",
            "provider": "newapi",
            "base_url": base_url + "/relay",
            "access_token": "tok-secret-0001",
            "user_id": 42,
        },
        {"name": "relay-key", "provider": "newapi", "base_url": base_url, "api_key": "sk-k-0001"},
        {"name": "sf", "provider": "siliconflow", "api_key": "env:TOPUP_TEST_SF_KEY"},
        {"name": "old", "provider": "siliconflow", "api_key": "sk-old-0001", "enabled": False},
    ]


def table_rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_a_valid_config_lists_each_account_with_its_mode_base_url_and_state(
    tmp_path: Path, listener: Listener
) -> None:
    path = write_config(tmp_path, accounts(listener.url))
    result = invoke(["config", "check", "--config", str(path)], {"TOPUP_TEST_SF_KEY": "sk-sf-1"})
    assert result.exit_code == 0, result.output
    rows = {cells[0]: cells[1:] for cells in table_rows(result.stdout)}
    assert rows["relay"] == ["newapi", "access_token + user_id", f"{listener.url}/relay", "yes"]
    assert rows["relay-key"] == ["newapi", "api_key", listener.url, "yes"]
    assert rows["sf"] == ["siliconflow", "api_key", "https://api.siliconflow.com (default)", "yes"]
    assert rows["old"][-1] == "no"
    assert "valid, 4 accounts (3 enabled)" in result.stdout
    for secret in ("tok-secret-0001", "sk-k-0001", "sk-sf-1", "sk-old-0001"):
        assert secret not in result.output


def test_json_describes_every_account_for_scripts(tmp_path: Path, listener: Listener) -> None:
    path = write_config(tmp_path, accounts(listener.url))
    env = {"TOPUP_TEST_SF_KEY": "sk-sf-1"}
    result = invoke(["config", "check", "--json", "--config", str(path)], env)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["valid"] is True and document["config"] == str(path)
    by_name = {a["name"]: a for a in document["accounts"]}
    assert list(by_name) == ["relay", "relay-key", "sf", "old"]
    assert by_name["relay"] == {
        "name": "relay",
        "provider": "newapi",
        "title": "new-api / one-api relay",
        "mode": "access_token + user_id",
        "fields": ["access_token", "user_id"],
        "base_url": f"{listener.url}/relay",
        "base_url_is_default": False,
        "enabled": True,
    }
    assert by_name["sf"]["base_url"] == "https://api.siliconflow.com"
    assert by_name["sf"]["base_url_is_default"] is True
    assert by_name["old"]["enabled"] is False
    assert "sk-sf-1" not in result.stdout and "tok-secret-0001" not in result.stdout


def test_config_check_connects_to_nothing_where_check_does(
    tmp_path: Path, listener: Listener
) -> None:
    path = write_config(tmp_path, accounts(listener.url)[:2])
    result = invoke(["config", "check", "--config", str(path)])
    assert result.exit_code == 0
    assert listener.connections == 0
    # The listener does see a real check: the count above is not blind.
    invoke(["check", "--json", "--timeout", "2", "--config", str(path)])
    assert listener.connections > 0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            '[[accounts]]\nname = "x"\nprovider = "newapi"\nbase_url = "http://127.0.0.1:9"\n'
            'acess_token = "t"\n',
            [":5:", "account 'x'", "unknown key 'acess_token'", "did you mean 'access_token'"],
        ),
        (
            '[[accounts]]\nname = "x"\nprovider = "siliconflow"\n'
            'api_key = "env:TOPUP_TEST_NOT_SET"\n',
            [":4:", "TOPUP_TEST_NOT_SET is not set", "export TOPUP_TEST_NOT_SET"],
        ),
        ('[[accounts]]\nname = "x\n', [":2:", "not valid TOML"]),
        (
            '[alerts]\nbelow = "lots"\n',
            ["config.toml", "below"],
        ),
    ],
    ids=["unknown-key", "unset-variable", "bad-toml", "bad-alerts-table"],
)
def test_a_bad_config_is_a_located_error_with_exit_2(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    for extra in ([], ["--json"]):
        result = invoke(["config", "check", *extra, "--config", str(path)])
        assert result.exit_code == 2
        assert result.stdout == ""
        message = " ".join(result.stderr.split())
        assert "config error" in message
        for word in words:
            assert word in message, (word, message)
        assert "Traceback" not in result.output


def test_a_missing_config_says_how_to_create_one(tmp_path: Path) -> None:
    result = invoke(["config", "check", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_a_config_without_accounts_is_not_valid_and_says_how_to_add_one(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    result = invoke(["config", "check", "--config", str(path)])
    assert result.exit_code == 2 and "valid" not in result.stdout
    said = " ".join(result.stderr.split())
    assert "the config has no accounts" in said
    assert "add an [[accounts]] table" in said and "--force-stdout" in said
    assert invoke(["check", "--config", str(path)]).stderr == result.stderr  # as check says it


def test_a_toml_error_at_the_end_of_the_file_names_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[accounts]]\nname = "a"\nprovider = ', encoding="utf-8")
    result = invoke(["config", "check", "--config", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3: not valid TOML" in " ".join(result.stderr.split()), result.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly_with_its_own_status(
    tmp_path: Path,
) -> None:
    """`topup config check | head -1`: the output outgrows the pipe, the reader goes after one
    line, and topup ends with the status it would have had (0), without a traceback."""
    many = [
        {"name": f"account-{i:04d}", "provider": "deepseek", "api_key": f"sk-{i:04d}"}
        for i in range(1500)
    ]
    path = write_config(tmp_path, many)
    script = ROOT / ".venv" / "bin" / "topup"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "topup"]
    with subprocess.Popen(
        [*command, "config", "check", "--config", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **WIDE},
        cwd=ROOT,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `head -1` does
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0, err
    assert first and b"Traceback" not in err and b"Broken pipe" not in err, err
