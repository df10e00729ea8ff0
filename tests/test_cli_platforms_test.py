"""`topup platforms test` shows one check of a custom platform step by step, credential masked;
`topup check --json` treats a custom platform like any other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import invoke, restore_logging, run_subprocess
from test_custom_platforms import (
    KEY,
    RELAY,
    Imitation,
    account_text,
    forget_custom_platforms,
    platform,
    recipe_text,
)

import topup.cli.platforms  # noqa: F401 - registers the command

__all__ = ["forget_custom_platforms", "platform", "restore_logging"]

pytestmark = pytest.mark.usefixtures("restore_logging")

BODY = {
    "success": True,
    "message": "",
    "data": {
        "balance": 12.5,
        "used": "3.25",
        "access_token": "tok-must-not-show-0001",
        "note": f"your key is {KEY}",
    },
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def relay_config(platform: Imitation, tmp_path: Path, **recipe: object) -> Path:
    text = recipe_text(**{**RELAY, **recipe}) + "\n"
    text += account_text("relay", "myrelay", platform.url, api_key=KEY)
    return write(tmp_path, text)


def test_it_shows_what_was_sent_received_and_extracted_with_the_key_masked(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/api/balance", BODY, auth=("query", "key"))
    path = relay_config(platform, tmp_path, auth="query:key", divisor="2")
    result = invoke(["platforms", "test", "myrelay", "--account", "relay", "--config", str(path)])
    out = result.stdout
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and KEY not in result.stderr
    assert "tok-must-not-show" not in result.output  # secret fields dropped from the answer
    assert f"GET {platform.url}/api/balance?key=sk-cu…cdef" in out
    assert "HTTP 200 OK (application/json" in out
    assert '"balance": 12.5,' in out and '"used": "3.25",' in out
    assert "your key is sk-cu…cdef" in out
    assert "success = success == `true`  ->  true" in out
    assert "balance = data.balance  ->  12.5  (÷ 2 = 6.25)" in out
    assert 'used    = data.used  ->  "3.25"  (÷ 2 = 1.625)' in out
    assert "currency: CNY (fixed)" in out
    assert out.index("1. Sent") < out.index("2. Received") < out.index("3. Extracted")
    assert out.index("3. Extracted") < out.index("4. Result") < out.index("6.25 CNY")


def test_a_bearer_key_is_masked_in_the_headers_shown(platform: Imitation, tmp_path: Path) -> None:
    platform.answer("/api/balance", BODY)
    path = relay_config(platform, tmp_path)
    result = invoke(["platforms", "test", "myrelay", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "Authorization: Bearer sk-cu…cdef" in result.stdout
    assert KEY not in result.output


def test_a_mismatch_shows_what_the_expression_found_and_exits_1(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/api/balance", {"success": True, "data": {"quota": 7}})
    path = relay_config(platform, tmp_path)
    result = invoke(["platforms", "test", "myrelay", "--config", str(path)])
    assert result.exit_code == 1
    assert "balance = data.balance  ->  null  (found nothing)" in result.stdout
    assert "bad answer" in result.stdout
    assert "found nothing in the answer" in result.stdout


def test_a_refused_key_exits_1_with_the_platforms_message(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/api/balance", BODY, key="another-key-entirely")
    path = relay_config(platform, tmp_path)
    result = invoke(["platforms", "test", "myrelay", "--config", str(path)])
    assert result.exit_code == 1
    assert "HTTP 401" in result.stdout and "key rejected" in result.stdout
    assert 'message = message  ->  "invalid token"' in result.stdout
    assert KEY not in result.output


def test_below_min_balance_exits_3_like_topup_check(platform: Imitation, tmp_path: Path) -> None:
    platform.answer("/api/balance", BODY)
    text = recipe_text(**RELAY) + "\n"
    text += account_text("relay", "myrelay", platform.url, api_key=KEY, min_balance="100")
    result = invoke(["platforms", "test", "myrelay", "--config", str(write(tmp_path, text))])
    assert result.exit_code == 3, result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["myrelai"], ["no custom platform named 'myrelai'", "did you mean 'myrelay'"]),
        (["siliconflow"], ["built-in platform"]),
        (["myrelay", "--account", "nobody"], ["no account named 'nobody'"]),
        (["myrelay", "--account", "sf"], ["uses provider 'siliconflow'"]),
    ],
)
def test_usage_errors_exit_2_and_check_nothing(
    args: list[str], words: list[str], platform: Imitation, tmp_path: Path
) -> None:
    text = recipe_text(**RELAY) + "\n"
    text += account_text("relay", "myrelay", platform.url, api_key=KEY) + "\n"
    text += account_text("sf", "siliconflow", platform.url, api_key=KEY)
    result = invoke(["platforms", "test", *args, "--config", str(write(tmp_path, text))])
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr
    assert platform.received == []


def test_several_accounts_need_the_account_option(platform: Imitation, tmp_path: Path) -> None:
    text = recipe_text(**RELAY) + "\n"
    text += account_text("a", "myrelay", platform.url, api_key=KEY) + "\n"
    text += account_text("b", "myrelay", platform.url, api_key=KEY)
    result = invoke(["platforms", "test", "myrelay", "--config", str(write(tmp_path, text))])
    assert result.exit_code == 2
    assert "choose one with --account: a, b" in result.stderr


def test_a_bad_recipe_is_a_located_config_error_not_a_traceback(tmp_path: Path) -> None:
    text = '[[platforms]]\nname = "x"\npath = "/b"\nbalance = "data.["\n'
    result = invoke(["platforms", "test", "x", "--config", str(write(tmp_path, text))])
    assert result.exit_code == 2
    assert "config.toml:4: platform 'x': balance is not a valid JMESPath" in result.stderr
    assert "Traceback" not in result.output


def test_topup_check_json_reports_a_custom_platform_like_any_other(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/api/balance", BODY)
    platform.answer("/v2/balance", {"success": True, "data": {"nothing": 1}})
    text = recipe_text(**RELAY) + "\n"
    text += recipe_text(**{**RELAY, "name": "other", "path": "/v2/balance"}) + "\n"
    text += account_text("relay", "myrelay", platform.url, api_key=KEY) + "\n"
    text += account_text("broken", "other", platform.url, api_key=KEY)
    path = write(tmp_path, text)
    result = run_subprocess(["check", "--json", "--config", str(path)], module=True)
    assert result.returncode == 1, result.stderr
    assert KEY not in result.stdout + result.stderr
    relay, broken = json.loads(result.stdout)["results"]
    assert (relay["provider"], relay["status"], relay["balance"], relay["currency"]) == (
        "myrelay",
        "ok",
        "12.5",
        "CNY",
    )
    assert relay["used"] == "3.25"
    assert (broken["status"], broken["balance"]) == ("bad_response", None)
    assert "data.balance" in broken["message"]


def test_the_steps_and_errors_speak_chinese_and_check_json_is_the_same_in_either_language(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/api/balance", BODY)
    platform.answer("/v2/balance", {"success": True, "data": {"nothing": 1}})
    path = relay_config(platform, tmp_path)
    result = invoke(["--lang", "zh-CN", "platforms", "test", "myrelay", "--config", str(path)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "平台 My Relay (myrelay, config.toml:1)，账户 'relay'" in out
    assert out.index("1. 发送") < out.index("2. 收到") < out.index("3. 提取") < out.index("4. 结果")
    assert "货币：CNY（固定）" in out and "字节" in out
    assert "balance = data.balance  ->  12.5" in out  # expressions and values as written
    assert "Sent" not in out and "Result" not in out and KEY not in result.output

    errors = {
        "myrelai": "没有名为 'myrelai' 的自定义平台（你是不是想写 'myrelay'？）",
        "siliconflow": "'siliconflow' 是内置平台，不是 [[platforms]] 配方",
    }
    for name, words in errors.items():
        refused = invoke(["--lang", "zh-CN", "platforms", "test", name, "--config", str(path)])
        assert refused.exit_code == 2 and words in refused.stderr, refused.stderr
        assert "未检查任何账户" in refused.stderr

    text = path.read_text(encoding="utf-8") + "\n"
    text += recipe_text(**{**RELAY, "name": "other", "path": "/v2/balance"}) + "\n"
    text += account_text("broken", "other", platform.url, api_key=KEY)
    both = write(tmp_path, text)
    documents = []
    for lang in ("en", "zh-CN"):
        checked = invoke(["--lang", lang, "check", "--json", "--config", str(both)])
        assert checked.exit_code == 1, checked.output
        document = json.loads(checked.stdout)
        document.pop("checked_at", None)
        for row in document["results"]:
            row.pop("duration", None)
            row.pop("checked_at", None)
        documents.append(document)
    assert documents[0] == documents[1]
