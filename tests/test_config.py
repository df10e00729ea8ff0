"""Config errors name the file, the line or account and what to do; nothing is checked (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import invoke, restore_logging
from fixtures_loopback import SF_PATH, loopback, sf_ok
from loopback import Loopback

from topup import config as config_module
from topup.config import build_account
from topup.errors import ConfigError

__all__ = ["loopback", "restore_logging"]

pytestmark = pytest.mark.usefixtures("restore_logging")


def good_account(server: Loopback) -> str:
    return (
        "[[accounts]]\n"
        'name = "good"\n'
        'provider = "siliconflow"\n'
        'api_key = "sk-good-123456"\n'
        f'base_url = "{server.url}/good"\n'
    )


# (text after a good account, expected line, words the message must hold, words of the hint)
BAD = {
    "toml-syntax": ('[[accounts]]\nname = "x\nprovider = "siliconflow"\n', 8, ["TOML"], ["syntax"]),
    "unknown-provider": (
        '[[accounts]]\nname = "x"\nprovider = "siliconflw"\napi_key = "k"\n',
        9,
        ["unknown provider", "siliconflw", "'x'"],
        ["did you mean 'siliconflow'"],
    ),
    "missing-credential": (
        '[[accounts]]\nname = "x"\nprovider = "siliconflow"\n',
        7,
        ["missing credential", "'x'"],
        ["api_key"],
    ),
    "unset-env": (
        '[[accounts]]\nname = "x"\nprovider = "siliconflow"\n'
        'api_key = "env:TOPUP_TEST_UNSET_VAR"\n',
        10,
        ["TOPUP_TEST_UNSET_VAR", "not set", "'x'"],
        ["export TOPUP_TEST_UNSET_VAR"],
    ),
    "missing-file": (
        '[[accounts]]\nname = "x"\nprovider = "siliconflow"\napi_key = "file:nope.key"\n',
        10,
        ["nope.key", "'x'"],
        ["check the path"],
    ),
    "duplicate-name": (
        '[[accounts]]\nname = "good"\nprovider = "siliconflow"\napi_key = "k2"\n',
        7,
        ["duplicate account name", "'good'"],
        ["first defined at line 1"],
    ),
    "unknown-key": (
        '[[accounts]]\nname = "x"\nprovider = "siliconflow"\napi_ky = "k"\n',
        10,
        ["unknown key", "api_ky", "'x'"],
        ["did you mean 'api_key'"],
    ),
    "unknown-section": ("[chek]\ntimeout = 3\n", 7, ["chek"], ["did you mean 'check'"]),
    "newapi-without-base-url": (
        '[[accounts]]\nname = "x"\nprovider = "newapi"\napi_key = "sk-x"\n',
        7,
        ["missing base_url", "'x'"],
        ["base_url"],
    ),
    "newapi-token-without-user": (
        '[[accounts]]\nname = "x"\nprovider = "newapi"\naccess_token = "t"\n'
        'base_url = "https://relay.example"\n',
        7,
        ["missing credential", "'x'"],
        ["access_token + user_id", "api_key"],
    ),
    "bad-base-url": (
        '[[accounts]]\nname = "x"\nprovider = "siliconflow"\napi_key = "k"\nbase_url = "ftp:/x"\n',
        11,
        ["base_url", "'x'"],
        ["https://"],
    ),
    "bad-min-balance": (
        '[[accounts]]\nname = "x"\nprovider = "siliconflow"\napi_key = "k"\nmin_balance = "lots"\n',
        11,
        ["min_balance", "number"],
        ["min_balance = "],
    ),
    "no-provider": (
        '[[accounts]]\nname = "x"\napi_key = "k"\n',
        7,
        ["no provider"],
        ["siliconflow"],
    ),
}


def bad_config_file(
    case: str, server: Loopback, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A config file of a good account followed by the text of ``BAD[case]``, in an environment
    without the variable one case refers to."""
    monkeypatch.delenv("TOPUP_TEST_UNSET_VAR", raising=False)
    path = tmp_path / "config.toml"
    path.write_text(good_account(server) + "\n" + BAD[case][0], encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config_is_located_explained_and_checks_nothing(
    case: str, loopback: Loopback, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bad, line, words, hint_words = BAD[case]
    loopback.route(sf_ok("good", "1"))
    path = bad_config_file(case, loopback, tmp_path, monkeypatch)

    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    error = caught.value
    assert error.path == path
    assert error.line == line, error.describe()
    text = error.describe()
    assert text.startswith(f"{path}:{line}: ")
    for word in words:
        assert word in text, (word, text)
    assert error.hint, text
    for word in hint_words:
        assert word in error.hint, (word, error.hint)

    result = invoke(["check", "--config", str(path), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr.replace("\n", "")
    assert f"{path.name}:{line}" in err
    assert "Nothing was checked" in err
    assert loopback.total == 0


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert caught.value.path == path and caught.value.hint
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 2
    assert "absent.toml" in result.stderr and "not found" in result.stderr


def test_env_and_file_credentials_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOPUP_TEST_KEY", "  sk-from-env-value \n")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "sf.key").write_text("sk-from-file-value\n", encoding="utf-8")
    absolute = tmp_path / "abs.key"
    absolute.write_text("tok-absolute\n", encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nname = "e"\nprovider = "siliconflow"\napi_key = "env:TOPUP_TEST_KEY"\n'
        '[[accounts]]\nname = "f"\nprovider = "siliconflow"\napi_key = "file:keys/sf.key"\n'
        '[[accounts]]\nname = "a"\nprovider = "aihubmix"\n'
        f'access_token = "file:{absolute}"\n'
        '[[accounts]]\nname = "l"\nprovider = "newapi"\napi_key = "sk-literal"\n'
        'base_url = "https://relay.example/"\n',
        encoding="utf-8",
    )
    cfg = config_module.load(path)
    secrets = {a.name: a.secrets[0].reveal() for a in cfg.accounts}
    assert secrets == {
        "e": "sk-from-env-value",
        "f": "sk-from-file-value",
        "a": "tok-absolute",
        "l": "sk-literal",
    }
    assert cfg.accounts[3].base_url == "https://relay.example"


def test_empty_credential_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.key").write_text("\n", encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nname = "x"\nprovider = "siliconflow"\napi_key = "file:empty.key"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert caught.value.line == 4 and "empty" in caught.value.message


def test_topup_config_env_is_honoured(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("good", "7.25"))
    path = tmp_path / "elsewhere.toml"
    path.write_text(good_account(loopback), encoding="utf-8")
    result = invoke(["check", "--json"], env={"TOPUP_CONFIG": str(path)})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["balance"] == "7.25"
    assert loopback.count(f"/good{SF_PATH}") == 1


def test_explicit_config_beats_topup_config(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("good", "1"))
    path = tmp_path / "right.toml"
    path.write_text(good_account(loopback), encoding="utf-8")
    result = invoke(
        ["check", "--json", "-c", str(path)], env={"TOPUP_CONFIG": str(tmp_path / "wrong.toml")}
    )
    assert result.exit_code == 0, result.stderr


def test_missing_topup_config_target_is_exit_2(tmp_path: Path) -> None:
    result = invoke(["check"], env={"TOPUP_CONFIG": str(tmp_path / "nowhere.toml")})
    assert result.exit_code == 2
    assert "nowhere.toml" in result.stderr.replace("\n", "")


def test_config_error_reports_first_bad_account_by_name_and_line(tmp_path: Path) -> None:
    text = (
        '[[accounts]]\nname = "one"\nprovider = "siliconflow"\napi_key = "k"\n\n'
        "# a comment\n"
        '[[accounts]]\nname = "two"\nprovider = "siliconflow"\napi_key = "k"\n'
        'currency = "dollars"\n'
    )
    with pytest.raises(ConfigError) as caught:
        config_module.parse(text, Path("cfg.toml"), env={})
    assert caught.value.account == "two"
    assert caught.value.line == 11
    assert caught.value.describe().startswith("cfg.toml:11: account 'two': currency")


def test_durations_and_settings_parse() -> None:
    cfg = config_module.parse(
        '[check]\ntimeout = 5\n[[accounts]]\nname = "x"\nprovider = "siliconflow"\n'
        'api_key = "k"\ntimeout = "90s"\ninterval = "15m"\nmin_balance = 2.50\ncurrency = "cny"\n'
        'tags = ["a"]\n',
        env={},
    )
    account = cfg.accounts[0]
    assert (account.timeout, account.interval) == (90, 900)
    assert str(account.min_balance) == "2.50"
    assert account.currency == "CNY"
    assert cfg.section("check") == {"timeout": 5}
    assert cfg.settings.check.timeout == 5


def test_config_errors_keep_their_section_names(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[check]\ntimout = 5\n")
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 2
    assert "unknown key 'timout' in [check]" in result.output
    assert "did you mean 'timeout'" in result.output


def test_account_interval_nan_is_refused() -> None:
    with pytest.raises(ConfigError):
        build_account(
            {
                "name": "a",
                "provider": "siliconflow",
                "api_key": "k-123456",
                "interval": float("nan"),
            }
        )


ACCOUNT = '[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "sk-a-123456"\n'


@pytest.mark.parametrize(
    "value", ["[" * 500 + "]" * 500, "{ a = " * 500 + "1" + " }" * 500], ids=["array", "table"]
)
def test_a_value_nested_500_deep_is_a_located_config_error(tmp_path: Path, value: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(ACCOUNT + f"notes = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert caught.value.line == 5 and "nested too deeply" in caught.value.message
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 2
    err = result.stderr.replace("\n", "")
    assert "deep.toml:5" in err and "Nothing was checked" in err
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_any_parser_failure_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str, **options: object) -> object:
        raise ValueError("the parser broke")

    monkeypatch.setattr(config_module.tomllib, "loads", broken)
    with pytest.raises(ConfigError) as caught:
        config_module.parse("x = 1\n", Path("c.toml"))
    assert caught.value.describe().startswith("c.toml: not valid TOML: ValueError")


@pytest.mark.parametrize("key", ['"名字"', "'名字'", '"n\\u00e4me"', '"api key"'])
def test_a_quoted_key_is_reported_at_its_own_line(key: str) -> None:
    text = ACCOUNT + 'tags = ["x"]\n' + f"{key} = 1\n"
    with pytest.raises(ConfigError) as caught:
        config_module.parse(text, Path("c.toml"), env={})
    assert caught.value.line == 6, caught.value.describe()
    assert caught.value.account == "a" and "unknown key" in caught.value.message


def test_a_quoted_top_level_key_is_located() -> None:
    with pytest.raises(ConfigError) as caught:
        config_module.parse(ACCOUNT + '\n"名字" = 1\n', Path("c.toml"), env={})
    assert caught.value.line == 6 and "'名字'" in caught.value.message


def test_a_check_setting_is_located_in_check_not_at_an_account_key() -> None:
    text = ACCOUNT + "timeout = 5\n\n[check]\ntimeout = 0\n"
    with pytest.raises(ConfigError) as caught:
        config_module.parse(text, Path("c.toml"), env={})
    assert caught.value.line == 8 and "[check] timeout" in caught.value.message


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("case", sorted(BAD))
def test_config_errors_are_said_in_chinese_with_keys_and_values_as_written(
    case: str, loopback: Loopback, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad, line, _words, _hint = BAD[case]
    path = bad_config_file(case, loopback, tmp_path, monkeypatch)
    outputs = []
    for lang in ("en", "zh-CN"):
        result = invoke(["--lang", lang, "check", "--config", str(path), "--json"])
        assert result.exit_code == 2
        outputs.append(result.stdout)
    assert outputs == ["", ""]  # --json prints nothing in either language
    err = " ".join(result.stderr.split())
    assert err.startswith(f"topup：配置错误：{path}:{line}: "), err
    message = err.split(f"{path}:{line}: ", 1)[1].split("未检查任何账户")[0]
    assert _cjk(message.replace("账户 'x'：", "")), message  # not only the account's label
    for word in ("'x'", "siliconflw", "api_ky", "chek", "TOPUP_TEST_UNSET_VAR", "nope.key"):
        if word in bad or (word == "'x'" and 'name = "x"' in bad):
            assert word in message, (word, message)
    assert loopback.total == 0


def test_a_located_unknown_key_and_an_unknown_account_read_naturally_in_chinese(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[accounts]]\nname = "relay"\nprovider = "newapi"\nbase_url = "https://r.example"\n'
        'acess_token = "t"\nuser_id = 1\n',
        encoding="utf-8",
    )
    result = invoke(["--lang", "zh-CN", "check", "--config", str(path)])
    assert result.exit_code == 2
    said = "账户 'relay'：平台 'newapi' 没有键 'acess_token'（你是不是想写 'access_token'？）"
    assert f"{path}:5: {said}" in " ".join(result.stderr.split())
    path.write_text(
        '[[accounts]]\nname = "relay"\nprovider = "newapi"\nbase_url = "https://r.example"\n'
        'access_token = "t"\nuser_id = 1\n',
        encoding="utf-8",
    )
    result = invoke(["--lang", "zh-CN", "check", "nosuch", "--config", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "没有名为 'nosuch' 的账户（已有账户：relay）" in result.stderr
    english = invoke(["check", "nosuch", "--config", str(path)])
    assert "no account named 'nosuch' (accounts: relay)" in english.stderr
