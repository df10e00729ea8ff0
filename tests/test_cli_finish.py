"""The command line's finish: version, help that reads well, usage errors, empty configs,
placeholders, the demo's command line, and both languages."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest
from cli_helpers import invoke, run_subprocess, write_config
from rich.cells import cell_len

import topup.cli
from topup import i18n
from topup.cli.demo import topup_command


@pytest.fixture(autouse=True)
def english_after() -> object:
    """A run in Chinese sets the process's language: leave English for the next test."""
    yield
    i18n.set_language(None)


COMMANDS = [[e.name] for e in topup.cli.COMMANDS] + [
    ["config", "check"],
    ["keys", "check"],
    ["import", "all-api-hub"],
    ["platforms", "test"],
    ["db", "prune"],
]


def test_version_prints_the_installed_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"topup \d+\.\d+\.\d+\S*\n", result.output)


@pytest.mark.parametrize("columns", ["80", "120"])
def test_help_has_no_type_metavars_and_no_broken_sentences(columns: str) -> None:
    for args in [[], *COMMANDS]:
        result = invoke([*args, "--help"], env={"COLUMNS": columns})
        assert result.exit_code == 0, (args, result.output)
        assert "<bool>" not in result.output and "<list" not in result.output, args
        # the description paragraphs (outside the option boxes, whose columns wrap)
        lines = [
            ln.strip() for ln in result.output.splitlines() if not ln.startswith(("│", "╭", "╰"))
        ]
        for line, following in itertools.pairwise(lines):
            # a sentence cut by a hard line break: a short line, then one going on in lowercase
            if line and following and len(line) < int(columns) // 2:
                assert not (line[-1].isalpha() and following[:1].islower()), (args, line)


def test_a_bad_interval_is_a_usage_error_not_a_config_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "a", "provider": "openrouter", "api_key": "k"}])
    result = invoke(["watch", "--once", "--interval", "5x", "--config", str(config)])
    assert result.exit_code == 2
    assert "Invalid value for '--interval'" in result.output
    assert "config error" not in result.output


def test_an_empty_config_says_so_and_points_at_init(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.output and "topup init" in result.output


def test_a_missing_config_points_at_init(tmp_path: Path) -> None:
    result = invoke(["check", "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 2
    assert "not found" in result.output and "topup init" in result.output


def test_config_check_warns_on_what_init_left_to_replace(tmp_path: Path) -> None:
    written = run_subprocess(["init", "--force-stdout", "-p", "newapi"])
    assert written.returncode == 0, written.stderr
    path = tmp_path / "config.toml"
    path.write_text(written.stdout, encoding="utf-8")
    result = run_subprocess(
        ["config", "check", "--json", "--config", str(path)], env={"NEWAPI_API_KEY": "sk-x"}
    )
    assert result.returncode == 0, result.stderr
    assert any("base_url" in w for w in json.loads(result.stdout)["warnings"])
    shown = run_subprocess(["config", "check", "--config", str(path)], env={"NEWAPI_API_KEY": "x"})
    assert shown.returncode == 0 and "warning" in shown.stderr and "base_url" in shown.stderr
    assert "base_url still holds the example `topup init` wrote" in " ".join(shown.stderr.split())


def test_alerts_test_with_a_config_error_says_no_message_was_sent(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, [{"name": "a", "provider": "openrouter", "api_key": "env:TOPUP_TEST_UNSET_KEY"}]
    )
    result = invoke(["alerts", "test", "--config", str(config)])
    assert result.exit_code == 2 and "TOPUP_TEST_UNSET_KEY" in result.stderr
    assert "No test message was sent." in result.stderr
    assert "Nothing was checked." not in result.stderr


def test_the_demo_prints_a_command_that_works_without_topup_on_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = Path(topup.cli.__file__).resolve().parents[2] / ".venv" / "bin" / "topup"
    if not script.exists():
        pytest.skip("no installed topup script")
    monkeypatch.setattr("sys.argv", [str(script), "demo"])
    command = topup_command()
    assert Path(command).is_absolute()
    done = subprocess.run(
        f"{command} --version",
        shell=True,
        env={"PATH": "/nonexistent"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("topup ")


@pytest.mark.parametrize("args", [[], *COMMANDS], ids=lambda a: " ".join(a) or "topup")
def test_chinese_help_at_80_columns_folds_every_text_and_cuts_none(args: list[str]) -> None:
    result = invoke(["--lang", "zh-CN", *args, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output, result.output
    assert max(map(cell_len, result.output.splitlines())) <= 80


def test_typer_and_click_texts_read_in_chinese_and_english_again_after() -> None:
    helped = invoke(["--lang", "zh-CN", "check", "--help"])
    assert "用法：" in helped.output and "选项" in helped.output and "参数" in helped.output
    assert "Usage:" not in helped.output and "Options" not in helped.output
    assert "命令" in invoke(["--lang", "zh-CN", "--help"]).output
    bogus = invoke(["--lang", "zh-CN", "bogus"])
    assert bogus.exit_code == 2
    assert "没有命令 'bogus'。" in bogus.output and "错误" in bogus.output
    assert "运行 'topup --help' 查看帮助。" in bogus.output
    bad = invoke(["--lang", "zh-CN", "check", "--timeout"])
    assert bad.exit_code == 2 and "选项 '--timeout' 需要一个值。" in bad.output, bad.output
    typo = invoke(["--lang", "zh-CN", "chek"])
    assert "你是不是想输入 'check'？" in typo.output
    english = invoke(["--lang", "en", "bogus"])
    assert "No such command 'bogus'." in english.output and "Error" in english.output
    assert "Usage: topup" in english.output and "Try 'topup --help' for help." in english.output


@pytest.mark.parametrize(
    "args", [["--lang", "fr", "--help"], ["--lang", "fr", "--version"], ["--help", "--lang=fr"]]
)
def test_an_unknown_language_is_a_usage_error_even_with_help_or_version(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert "'fr' is not a language topup speaks (en, zh-CN)" in result.output
    assert "Invalid value for '--lang'" in result.output


def test_an_unknown_language_is_said_in_the_language_chosen_otherwise() -> None:
    result = invoke(["--lang", "fr", "--help"], env={"TOPUP_LANG": "zh-CN"})
    assert result.exit_code == 2 and "'--lang' 的值无效" in result.output, result.output


def test_lang_flag_shows_help_in_chinese() -> None:
    result = invoke(["--lang", "zh-CN", "--help"])
    assert "立即检查每个账户的余额" in result.output
    assert "Check every account's balance now" not in result.output
    english = invoke(["--lang", "en", "check", "--help"])
    assert "Check every account's balance now" in english.output


def test_locale_chooses_chinese_table_headers_and_json_stays_identical(
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path,
        [
            {
                "name": "a",
                "provider": "openrouter",
                "api_key": "k",
                "base_url": "http://127.0.0.1:9",  # loopback, refused: nothing leaves the machine
                "enabled": False,
            }
        ],
    )
    zh = invoke(["check", "--config", str(config)], env={"LANG": "zh_CN.UTF-8"})
    assert "没有要检查的账户" in zh.output
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    zh_error = invoke(["check", "--config", str(empty)], env={"LANG": "zh_CN.UTF-8"})
    assert "配置错误" in zh_error.output
    outputs = [
        invoke(["check", "a", "--json", "--config", str(config)], env={"TOPUP_LANG": lang})
        for lang in ("en", "zh-CN")
    ]
    first, second = (json.loads(o.stdout) for o in outputs)
    for document in (first, second):
        document.pop("checked_at", None)
        for row in document["results"]:
            row.pop("duration", None)
            row.pop("checked_at", None)
    assert first == second and outputs[0].exit_code == outputs[1].exit_code
