"""The config's tables besides [[accounts]]: parsed once into typed settings, errors located."""

from __future__ import annotations

from pathlib import Path

import pytest

from topup.config import parse
from topup.errors import ConfigError
from topup.runner import RunOptions
from topup.settings import (
    CheckSettings,
    ServeSettings,
    Settings,
    StorageSettings,
    WatchSettings,
    database_url,
)


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ("[check]\nper_host = 0\n", "per_host"),
        ("[check]\nconcurrency = 0\n", "concurrency"),
        ("[check]\ntimeout = nan\n", "timeout"),
        ("[check]\ntimeout = -5\n", "timeout"),
        ("[check]\ntimout = 5\n", "did you mean 'timeout'"),
        ("[watch]\ninterval = nan\n", "interval"),
    ],
)
def test_bad_check_and_watch_settings_are_config_errors(table: str, needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(table, Path("c.toml"))
    assert needle in str(caught.value) and "c.toml:" in str(caught.value)


def test_timeout_as_a_duration_string_works() -> None:
    assert parse('[check]\ntimeout = "20s"\n').settings.check.run_options().timeout == 20


def test_settings_are_typed_and_frozen(tmp_path: Path) -> None:
    text = (
        '[check]\ntimeout = "30s"\nconcurrency = 4\nretries = 0\n\n'
        '[watch]\ninterval = "5m"\n\n'
        '[storage]\nurl = "history.db"\n\n'
        '[serve]\ntoken = "file:token.txt"\n\n'
        "[sandbox]\n"
    )
    settings = parse(text, tmp_path / "c.toml", env={}).settings
    assert settings.check == CheckSettings(timeout=30, concurrency=4, retries=0)
    assert settings.watch == WatchSettings(interval=300)
    assert settings.storage == StorageSettings(database_url("history.db"))
    assert settings.storage.url == f"sqlite:///{Path('history.db').resolve()}"
    assert settings.serve.token == "file:token.txt" and settings.serve.line == 13
    assert not settings.alerts_configured
    with pytest.raises(AttributeError):
        settings.check.timeout = 1  # type: ignore[misc]
    assert parse("").settings == Settings()


def test_run_options_take_the_command_line_over_the_config() -> None:
    check = CheckSettings(timeout=30, concurrency=4, retries=1)
    assert check.run_options() == RunOptions(timeout=30, concurrency=4, per_host=4, retries=1)
    assert check.run_options(timeout=5, per_host=2) == RunOptions(
        timeout=5, concurrency=4, per_host=2, retries=1
    )
    assert CheckSettings().run_options() == RunOptions()


def test_alerts_are_configured_by_the_table_or_an_account() -> None:
    account = '[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "sk-123456"\n'
    assert parse('[alerts]\nbelow = "5"\n').settings.alerts_configured
    assert parse(account + 'alerts = { below = "5" }\n', env={}).settings.alerts_configured
    assert not parse(account + "[alerts]\n", env={}).settings.alerts_configured


def test_a_bad_serve_token_is_located(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse('[storage]\nurl = "h.db"\n\n[serve]\ntoken = ""\n', tmp_path / "c.toml")
    assert caught.value.line == 5
    assert caught.value.message == "[serve] token must be a non-empty string"


def test_the_serve_token_resolves_when_asked_and_the_env_var_wins(tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("from-file-token\n")
    serve = parse('[serve]\ntoken = "file:token.txt"\n', tmp_path / "c.toml").settings.serve
    assert serve.access_token(env={}) == "from-file-token"
    assert serve.access_token(env={"TOPUP_SERVE_TOKEN": " from-env "}) == "from-env"
    assert ServeSettings().access_token(env={}) is None
    unset = parse('\n[serve]\ntoken = "env:NOPE_UNSET"\n', tmp_path / "c.toml", env={})
    with pytest.raises(ConfigError) as caught:  # loading did not need it; serving does
        unset.settings.serve.access_token(env={})
    assert caught.value.line == 3 and "NOPE_UNSET is not set" in caught.value.message


def test_ui_lang_is_a_language_topup_speaks() -> None:
    from topup.config import parse
    from topup.errors import ConfigError

    assert parse('[ui]\nlang = "zh-CN"\n').settings.ui.lang == "zh_CN"
    assert parse("").settings.ui.lang is None
    with pytest.raises(ConfigError, match=r"\[ui\] lang must be one of: en, zh_CN"):
        parse('[ui]\nlang = "fr"\n')
    with pytest.raises(ConfigError, match="unknown key 'language' in"):
        parse('[ui]\nlanguage = "zh"\n')


@pytest.mark.parametrize("value", ['""', '"  "', "42", "[]"])
def test_storage_url_must_be_a_non_empty_string(value: str) -> None:
    from topup.config import parse
    from topup.errors import ConfigError

    with pytest.raises(ConfigError, match=r"\[storage\] url must be a non-empty string"):
        parse(f"[storage]\nurl = {value}\n")
