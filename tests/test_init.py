"""`topup init`: a commented starter config that loads; on a terminal, accounts asked for (keys
hidden, kept in 0600 files) and tested at once against the sandbox over real HTTP."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import stat
import subprocess
import sys
import termios
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import ROOT, invoke, restore_logging
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

import topup.cli.init  # noqa: F401  (registers `topup init`)
from topup.alerts.settings import parse as parse_alerts
from topup.cli.init import check_now
from topup.config import load, parse
from topup.errors import ConfigError
from topup.platforms import all_providers
from topup.runner import RunOptions
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.starter import env_name, render, scripted, toml_string, write
from topup.starter_flow import Cancelled, Interview, stream_prompts

__all__ = ["restore_logging"]

pytestmark = pytest.mark.usefixtures("restore_logging")

KEY = "sk-init-test-key-0123456789abcdef"
TOKEN = "tok-init-account-0001"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    state = SandboxState()
    state.add_site("relay", "newapi")
    state.add_key("relay", key=KEY, remain=2_500_000)
    with SandboxServer(state) as server:
        yield server


def variables(text: str) -> dict[str, str]:
    """Every env:NAME the text refers to, set to a value."""
    return {name: f"value-of-{name}" for name in re.findall(r"env:([A-Za-z0-9_]+)", text)}


# -- scripts: no terminal ----------------------------------------------------------------------
def test_scripted_init_writes_a_commented_config_that_loads_once_its_variables_are_set(
    tmp_path: Path,
) -> None:
    path = tmp_path / "conf" / "config.toml"
    platforms = sorted(all_providers())
    args = ["init", "--config", str(path)] + [a for p in platforms for a in ("--provider", p)]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    for heading in ("# [check]", "# [watch]", "# [alerts]", "# Each [[accounts]] table"):
        assert heading in text
    config = parse(text, path, env=variables(text))
    assert [a.provider for a in config.accounts] == platforms
    assert all(a.credentials for a in config.accounts)
    for name in re.findall(r'(?m)^[a-z_]+ = "env:([A-Za-z0-9_]+)"', text):
        assert f"export {name}=..." in text and f"export {name}=..." in result.stdout
    assert "config check" in result.stdout
    with pytest.raises(ConfigError) as raised:  # until the variables are set
        load(path)
    assert raised.value.line is not None and "is not set" in raised.value.message


def test_every_commented_out_setting_is_valid_once_uncommented(tmp_path: Path) -> None:
    for drafts in (scripted(sorted(all_providers())), []):
        text = render(drafts)
        uncommented = re.sub(r"(?m)^# (?=\[|[a-z_]+ = )", "", text)
        assert uncommented != text
        config = parse(uncommented, tmp_path / "config.toml", env=variables(uncommented))
        parse_alerts(config)
        assert config.settings.watch.interval == 15 * 60
        assert set(config.sections) == {"check", "watch", "alerts"}


def test_init_without_a_terminal_or_a_platform_writes_nothing_and_says_to_pass_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    result = invoke(["init", "--config", str(path)])
    assert result.exit_code == 2 and not path.exists()
    said = " ".join(result.stderr.split())
    assert "--provider NAME" in said and "Nothing was written" in said
    printed = invoke(["init", "--force-stdout", "--config", str(path)])  # a starter to read
    assert printed.exit_code == 0 and "# [[accounts]]" in printed.stdout
    assert "no account yet" in printed.stderr and not path.exists()


def test_the_hint_for_a_config_without_accounts_prints_one_to_copy(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n", encoding="utf-8")
    hint = invoke(["check", "--config", str(path)])
    assert hint.exit_code == 2 and "--force-stdout" in hint.stderr
    printed = invoke(["init", "--provider", "newapi", "--force-stdout", "--config", str(path)])
    assert printed.exit_code == 0 and "[[accounts]]" in printed.stdout
    path.write_text(printed.stdout, encoding="utf-8")
    checked = invoke(["config", "check", "--config", str(path)], env={"NEWAPI_API_KEY": "k"})
    assert checked.exit_code == 0, checked.output


def test_force_stdout_into_a_file_suggests_checking_that_file(tmp_path: Path) -> None:
    with (tmp_path / "mine.toml").open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "topup", "init", "--force-stdout", "-p", "newapi"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "TOPUP_LANG": "en"},
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert "topup config check --config mine.toml" in done.stderr, done.stderr


def test_init_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n", encoding="utf-8")
    result = invoke(["init", "--config", str(path), "--provider", "siliconflow"])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"{path}: already exists; not overwritten" in message
    assert "--config PATH" in message and "Nothing was written" in message
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_write_never_replaces_a_file_that_appears_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.symlink_to(tmp_path / "elsewhere.toml")  # dangling: exists() is false
    with pytest.raises(ConfigError, match="already exists"):
        write(path, scripted(["siliconflow"]))
    assert not (tmp_path / "elsewhere.toml").exists()


def test_force_stdout_prints_the_starter_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n", encoding="utf-8")
    result = invoke(["init", "--force-stdout", "--config", str(path), "-p", "newapi"])
    assert result.exit_code == 0
    assert 'provider = "newapi"' in result.stdout and "export NEWAPI_API_KEY" in result.stderr
    parse(result.stdout, env=variables(result.stdout))
    assert path.read_text(encoding="utf-8") == "# mine\n"


def test_init_writes_to_the_user_config_dir_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("TOPUP_CONFIG", raising=False)
    result = invoke(["init", "-p", "siliconflow"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "xdg" / "topup" / "config.toml"
    assert 'api_key = "env:SILICONFLOW_API_KEY"' in written.read_text(encoding="utf-8")
    assert "--config" not in result.stdout  # the next steps need no --config


def test_an_unknown_platform_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    result = invoke(["init", "--config", str(tmp_path / "c.toml"), "-p", "siliconflw"])
    assert result.exit_code == 2
    assert "unknown provider 'siliconflw' (did you mean 'siliconflow'" in result.stderr
    assert not (tmp_path / "c.toml").exists()


def test_environment_variable_names_are_valid_and_readable() -> None:
    assert env_name("siliconflow", "api_key") == "SILICONFLOW_API_KEY"
    assert env_name("302ai", "api_key") == "AI302_API_KEY"
    assert env_name("my relay-2", "access_token") == "MY_RELAY_2_ACCESS_TOKEN"
    assert env_name("42", "api_key") == "ACCOUNT_42_API_KEY"


@given(st.text())
def test_any_text_is_written_as_a_toml_string_that_reads_back_the_same(text: str) -> None:
    assert tomllib.loads(f"value = {toml_string(text)}")["value"] == text


# -- the interview, answered from a stream -------------------------------------------------------
def interview(
    tmp_path: Path, answers: list[str], env: dict[str, str] | None = None
) -> tuple[Interview, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    prompts = stream_prompts(io.StringIO("".join(a + "\n" for a in answers)), console)
    test = check_now(console, RunOptions(timeout=5))
    return Interview(prompts, tmp_path / "config.toml", test, env=env or {}), out


def test_a_pasted_key_is_tested_at_once_and_kept_in_a_0600_file_never_shown(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    relay = sandbox.site_url("relay")
    talk, out = interview(tmp_path, ["newapi", "", relay, "2", KEY])
    drafts = talk.run()
    transcript = out.getvalue()
    assert "Which platforms?" in transcript and "(hidden)" in transcript
    assert re.search(r"newapi: ok\s+\$?5(\.00)?", transcript), transcript
    written = write(tmp_path / "config.toml", drafts)
    secret_file = tmp_path / "newapi.api_key.secret"
    assert written == [secret_file, tmp_path / "config.toml"]
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert secret_file.read_text(encoding="utf-8").strip() == KEY
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert 'api_key = "file:newapi.api_key.secret"' in text
    assert KEY not in text and KEY not in transcript
    result = invoke(["check", "--json", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 0
    (checked,) = json.loads(result.stdout)["results"]
    assert (checked["account"], checked["status"], checked["balance"]) == ("newapi", "ok", "5")


def test_account_mode_asks_the_user_id_and_keeps_an_env_reference(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    user = sandbox.state.add_account("relay", token=TOKEN, quota=1_000_000)
    answers = ["nope", "newapi", "mine", sandbox.site_url("relay"), "1", "env:RELAY_TOKEN"]
    answers += ["forty-two", str(user.id)]
    talk, out = interview(tmp_path, answers, env={"RELAY_TOKEN": TOKEN})
    drafts = talk.run()
    transcript = out.getvalue()
    assert "not a platform: nope" in transcript and "not a valid user_id" in transcript
    assert re.search(r"mine: ok\s+\$?2", transcript), transcript
    (draft,) = drafts
    assert draft.values == {"access_token": "env:RELAY_TOKEN", "user_id": str(user.id)}
    assert draft.secrets == {}
    write(tmp_path / "config.toml", drafts)
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert "export RELAY_TOKEN=..." in text
    (account,) = parse(text, tmp_path / "config.toml", env={"RELAY_TOKEN": TOKEN}).accounts
    assert account.option("user_id") == str(user.id)


def test_a_failing_account_can_be_edited_then_kept(tmp_path: Path, sandbox: SandboxServer) -> None:
    relay = sandbox.site_url("relay")
    answers = ["newapi", "", relay, "2", "sk-wrong-key-000000000000", "edit"]
    answers += ["", "", "2", KEY]  # same name and URL (the defaults), the right key
    talk, out = interview(tmp_path, answers)
    (draft,) = talk.run()
    transcript = out.getvalue()
    assert "newapi: auth_error" in transcript and "newapi: ok" in transcript
    assert draft.base_url == relay and draft.secrets["api_key"].reveal() == KEY
    assert "sk-wrong-key-000000000000" not in transcript


def test_an_invalid_account_is_explained_and_can_be_dropped(tmp_path: Path) -> None:
    talk, out = interview(tmp_path, ["newapi", "", "ftp://nowhere", "2", KEY, "drop"])
    assert talk.run() == []
    transcript = out.getvalue()
    assert "base_url must be an http(s) URL" in transcript and "dropped" in transcript


def test_an_unset_variable_is_written_but_not_tested(tmp_path: Path) -> None:
    talk, out = interview(tmp_path, ["siliconflow", "", "", "env:TOPUP_TEST_UNSET"])
    (draft,) = talk.run()
    assert draft.values == {"api_key": "env:TOPUP_TEST_UNSET"} and draft.base_url is None
    assert "TOPUP_TEST_UNSET is not set here" in out.getvalue()


def test_answers_running_out_cancel_the_interview(tmp_path: Path) -> None:
    talk, _ = interview(tmp_path, ["newapi", ""])
    with pytest.raises(Cancelled):
        talk.run()


def test_two_accounts_of_one_platform_get_their_own_names_and_key_files(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    relay = sandbox.site_url("relay")
    other = "sk-init-test-key-second-000000"
    sandbox.state.add_key("relay", key=other, remain=500_000)
    talk, _ = interview(tmp_path, ["newapi newapi", "", relay, "2", KEY, "", relay, "2", other])
    drafts = talk.run()
    assert [d.name for d in drafts] == ["newapi", "newapi-2"]
    write(tmp_path / "config.toml", drafts)
    config = load(tmp_path / "config.toml")
    assert [a.secret("api_key") for a in config.accounts] == [KEY, other]


# -- a real terminal ---------------------------------------------------------------------------
class Terminal:
    """`topup init` in a pseudo-terminal: what it prints, and answers typed into it."""

    def __init__(self, args: list[str]) -> None:
        env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
        env = {k: v for k, v in env.items() if not k.startswith("TOPUP_")}
        env.update({"TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"})
        script = "import topup.cli.init; from topup.cli import main; main()"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the topup command line on the terminal
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-c", script, *args], env)
        self.output = ""
        self._seen = 0

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output[self._seen :]:
            assert time.monotonic() < deadline, f"no {text!r} in {self.output!r}"
            if not self._read(deadline - time.monotonic()):
                raise AssertionError(f"ended without {text!r}: {self.output!r}")
        self._seen = self.output.index(text, self._seen) + len(text)

    def echo_is_off(self, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not termios.tcgetattr(self.fd)[3] & termios.ECHO:
                return True
            time.sleep(0.01)
        return False

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\r").encode())

    def finish(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while self._read(deadline - time.monotonic()):
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.output += chunk.decode("utf-8", "replace")
        return bool(chunk)


def test_on_a_terminal_init_asks_hides_the_key_tests_it_and_writes_a_working_config(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    path = tmp_path / "config.toml"
    term = Terminal(["init", "--config", str(path), "--timeout", "5"])
    term.expect("Which platforms?")
    term.type("newapi")
    term.expect("Account name")
    term.type("")
    term.expect("Base URL")
    term.type(sandbox.site_url("relay"))
    term.expect("Which credentials?")
    term.type("2")
    term.expect("(hidden)")
    assert term.echo_is_off(), "the key would be echoed"
    term.type(KEY)
    term.expect("newapi: ok")
    assert term.finish() == 0
    assert KEY not in term.output
    assert f"Wrote {path} (1 account)" in term.output
    assert stat.S_IMODE((tmp_path / "newapi.api_key.secret").stat().st_mode) == 0o600
    (account,) = load(path).accounts
    assert account.secret("api_key") == KEY and account.base_url == sandbox.site_url("relay")


def test_ctrl_c_on_a_terminal_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    term = Terminal(["init", "--config", str(path), "--provider", "siliconflow"])
    term.expect("Account name")
    term.type("\x03")
    assert term.finish() == 1
    assert "Nothing was written" in term.output
    assert list(tmp_path.iterdir()) == []
