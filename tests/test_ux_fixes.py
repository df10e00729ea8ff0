"""Fixes from a newcomer's run through the README: what a person sees must be right."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import invoke, write_config
from fixtures_loopback import SF_PATH, loopback, sf_ok
from loopback import Loopback

from topup.config import build_account

__all__ = ["loopback"]


def test_config_errors_keep_their_section_names(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[check]\ntimout = 5\n")
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 2
    assert "unknown key 'timout' in [check]" in result.output
    assert "did you mean 'timeout'" in result.output


def test_serve_help_and_refusal_show_brackets(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("")
    result = invoke(["serve", "-c", str(path), "--host", "0.0.0.0", "--db", str(tmp_path / "h")])
    assert result.exit_code == 2 and "[serve] token" in result.output


def test_a_key_pasted_after_env_is_not_echoed() -> None:
    try:
        build_account(
            {"name": "a", "provider": "siliconflow", "api_key": "env:sk-PASTEDKEY-1234567890"}
        )
    except Exception as exc:
        assert "PASTEDKEY" not in str(exc) and "drop the env: prefix" in str(exc)
    else:
        raise AssertionError("a key after env: was accepted")


def test_naming_an_account_twice_checks_it_once(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("a", "88.88"))
    account = {"name": "a", "provider": "siliconflow", "api_key": "sk-twice-000001"}
    path = write_config(tmp_path, [{**account, "base_url": f"{loopback.url}/a"}])
    result = invoke(["check", "--json", "-c", str(path), "a", "a"])
    assert result.exit_code == 0
    assert result.stdout.count('"account": "a"') == 1
    assert loopback.count(f"/a{SF_PATH}") == 1


def test_below_minimum_is_visible_in_the_table(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("a", "2"))
    account = {"name": "a", "provider": "siliconflow", "api_key": "sk-low-0000001"}
    path = write_config(
        tmp_path, [{**account, "base_url": f"{loopback.url}/a", "min_balance": "5"}]
    )
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 3
    assert "ok, low" in result.stdout


def test_history_never_creates_a_database(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("")
    missing = tmp_path / "nothing-here.db"
    result = invoke(["history", "a", "-c", str(config), "--db", str(missing)])
    assert result.exit_code == 2 and "no history database" in result.output
    assert not missing.exists()
    result = invoke(["export", "-c", str(config), "--db", str(missing)])
    assert result.exit_code == 2 and not missing.exists()
