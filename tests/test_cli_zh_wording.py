"""What a person reads in Chinese is Chinese and reads as one sentence; the English text and the
machine-readable outputs (--json) stay as they were."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import invoke
from rich.console import Console

from topup import i18n
from topup.cli.render import not_counted, print_table
from topup.model import CheckResult, Status, utcnow
from topup.storage import Store, sqlite_url

NARROW = {"COLUMNS": "80"}


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """A run in Chinese sets the process's language: leave English for the next test."""
    yield
    i18n.set_language(None)


def test_providers_labels_and_the_secret_footnote_are_in_the_readers_language() -> None:
    zh = invoke(["--lang", "zh-CN", "providers"], NARROW)
    assert zh.exit_code == 0
    assert "凭据：" in zh.output and "货币：" in zh.output and "基础 URL：" in zh.output
    assert "* 机密字段" in zh.output
    assert "credentials:" not in zh.output and "give it literally" not in zh.output
    en = invoke(["providers"], NARROW)
    assert "  credentials: " in en.output and "  base URL:    " in en.output
    assert "* secret: give it literally, as env:NAME or as file:PATH" in en.output
    assert invoke(["--lang", "zh-CN", "providers", "--json"]).output == (
        invoke(["providers", "--json"]).output
    )


def test_init_over_an_existing_config_refuses_in_the_readers_language(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n", encoding="utf-8")
    args = ["init", "--config", str(path), "--provider", "deepseek", "--no-input"]
    zh = invoke(["--lang", "zh-CN", *args])
    assert zh.exit_code == 2
    message = " ".join(zh.stderr.split())
    assert message.startswith("topup：init：") and f"{path}: 已存在，未覆盖" in message
    assert "`topup config check`" in message and "already exists" not in message
    en = invoke(args)
    assert en.exit_code == 2 and " ".join(en.stderr.split()).startswith(
        f"topup: init: {path}: already exists; not overwritten (check it with"
    )
    assert path.read_text(encoding="utf-8") == "# mine\n"


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (["check", "--timeout", "0"], "greater than or equal to 0.1", "应不小于 0.1"),
        (["check", "--concurrency", "0"], "greater than or equal to 1", "应不小于 1"),
        (["check", "--timeout", "abc"], "Input should be a valid number", "应为数字"),
        (["check", "--concurrency", "1.5"], "Input should be a valid integer", "应为整数"),
        (["serve", "--port", "99999"], "less than or equal to 65535", "应不大于 65535"),
    ],
)
def test_an_option_value_out_of_range_is_explained_in_the_readers_language(
    args: list[str], english: str, chinese: str
) -> None:
    zh = invoke(["--lang", "zh-CN", *args])
    assert zh.exit_code == 2
    said = " ".join(zh.stderr.replace("│", " ").split())
    assert f"的值无效：{chinese}" in said and "Input should" not in said
    i18n.set_language(None)
    en = invoke(args)
    assert en.exit_code == 2
    assert english in " ".join(en.stderr.replace("│", " ").split())


def test_export_names_its_formats_in_the_readers_language(tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "none.db")]
    zh = invoke(["--lang", "zh-CN", "export", "--format", "xml", *db])
    assert zh.exit_code == 2 and "--format 只能是 csv 或 json" in zh.stderr
    assert "输出格式：csv 或 json。" in invoke(["--lang", "zh-CN", "export", "--help"]).output
    i18n.set_language(None)
    en = invoke(["export", "--format", "xml", *db])
    assert en.exit_code == 2 and "Invalid value: --format is csv or json" in en.stderr
    assert "Output format: csv or json." in invoke(["export", "--help"]).output
    assert not (tmp_path / "none.db").exists()


def test_config_check_marks_defaults_and_warnings_in_the_readers_language(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nname = "relay"\nprovider = "newapi"\napi_key = "sk-x"\n'
        'base_url = "https://your-site.example"\n\n'
        '[[accounts]]\nname = "ds"\nprovider = "deepseek"\napi_key = "sk-y"\n',
        encoding="utf-8",
    )
    zh = invoke(["--lang", "zh-CN", "config", "check", "--config", str(path)])
    assert zh.exit_code == 0
    assert zh.stderr.startswith("警告：账户 'relay'：base_url")
    assert "https://api.deepseek.com（默认）" in zh.stdout
    assert f"{path}：有效，2 个账户（2 个已启用）。未联系任何平台" in " ".join(zh.stdout.split())
    assert "warning" not in zh.output and "(default)" not in zh.output
    i18n.set_language(None)
    en = invoke(["config", "check", "--config", str(path)])
    assert en.stderr.startswith("warning: account 'relay': base_url still holds the example")
    assert "https://api.deepseek.com (default)" in en.stdout
    assert f"{path}: valid, 2 accounts (2 enabled). Nothing was contacted" in " ".join(
        en.stdout.split()
    )
    as_json = ["config", "check", "--json", "--config", str(path)]
    zh_json, en_json = (
        json.loads(invoke(a).stdout) for a in (["--lang", "zh-CN", *as_json], as_json)
    )
    assert (
        len(zh_json.pop("warnings")) == len(en_json.pop("warnings")) == 1
    )  # a sentence for people
    assert zh_json == en_json


def test_a_chinese_error_label_is_followed_without_a_space_an_english_one_with_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[accounts]]\nname = "a"\nprovider = "nosuch"\n', encoding="utf-8")
    zh = invoke(["--lang", "zh-CN", "config", "check", "--config", str(path)])
    assert zh.exit_code == 2 and zh.stderr.startswith(f"topup：配置错误：{path}:")
    i18n.set_language(None)
    en = invoke(["config", "check", "--config", str(path)])
    assert en.exit_code == 2 and en.stderr.startswith(f"topup: config error: {path}:")


def test_an_unreadable_key_file_is_explained_in_our_words(tmp_path: Path) -> None:
    missing = tmp_path / "none.txt"
    zh = invoke(["--lang", "zh-CN", "keys", "check", str(missing)])
    assert zh.exit_code == 2
    assert f"{missing}: 无法读取密钥文件：文件不存在" in " ".join(zh.stderr.split())
    assert "No such file" not in zh.stderr
    i18n.set_language(None)
    en = invoke(["keys", "check", str(missing)])
    assert "cannot read the key file: file not found" in " ".join(en.stderr.split())
    folder = invoke(["keys", "check", str(tmp_path)])
    assert "cannot read the key file: it is a directory, not a file" in " ".join(
        folder.stderr.split()
    )


def left_out_of_totals() -> list[CheckResult]:
    return [
        CheckResult("paid", "p", Status.OK, currency="USD", balance=Decimal("5.00")),
        CheckResult("down", "p", Status.UNREACHABLE),
        CheckResult("refused", "p", Status.AUTH_ERROR),
        CheckResult("points", "p", Status.OK, balance=Decimal(7)),
    ]


@pytest.mark.parametrize("width", [80, 200])
def test_what_the_totals_leave_out_is_one_sentence_in_chinese(width: int) -> None:
    with i18n.use("zh-CN"):
        assert not_counted(left_out_of_totals()) == "未计入：2 个未知，1 个没有货币（points）"
        console = Console(file=io.StringIO(), width=width, no_color=True)
        print_table(console, left_out_of_totals(), {})
    said = console.file.getvalue()  # type: ignore[attr-defined]
    assert "未计入：2 个未知，1 个没有货币（points）" in said
    assert ("合计未计入：" in said) is (width < 120)  # the narrow table says it under the table
    assert not_counted(left_out_of_totals()) == (
        "2 unknown and 1 without a currency (points), not counted"
    )


def test_the_status_line_names_who_needs_attention_after_a_full_width_colon(
    tmp_path: Path,
) -> None:
    db = tmp_path / "h.db"
    at = utcnow() - timedelta(minutes=1)
    low = CheckResult("ds", "newapi", Status.OK, currency="CNY", balance=Decimal("3.20"))
    with Store.open(sqlite_url(db)) as store:
        store.record([(replace(low, checked_at=at), "fp-ds")])
    cfg = tmp_path / "config.toml"
    cfg.write_text('[[accounts]]\nname = "ds"\nprovider = "newapi"\nmin_balance = 5\n', "utf-8")
    args = ["status", "--no-cache", "--db", str(db), "-c", str(cfg)]
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    zh = invoke(["--lang", "zh-CN", *args], env)
    assert zh.stdout.startswith("⚠ 1 个需要关注：ds "), zh.stdout
    i18n.set_language(None)
    assert invoke(args, env).stdout.startswith("⚠ 1 needs attention: ds low ¥3.20")


def test_alerts_test_without_urls_puts_spaces_around_the_config_path(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("", encoding="utf-8")
    zh = invoke(["--lang", "zh-CN", "alerts", "test", "-c", str(cfg)])
    said = " ".join(zh.stderr.split())
    # (a log line left configured by an earlier test may come first: look for the message)
    assert f"topup：没有通知 URL：在 {cfg} 中添加 [alerts] notify" in said, said
    i18n.set_language(None)
    en = " ".join(invoke(["alerts", "test", "-c", str(cfg)]).stderr.split())
    assert "topup: no notify URLs: add [alerts] notify = " in en, en
