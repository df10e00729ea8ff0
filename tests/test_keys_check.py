"""`topup keys check` over real HTTP against the sandbox: rows in order, keys masked, counts,
exit status, detection and ambiguous lines, stdin, usage errors."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import topup.cli.keys  # noqa: F401  (registers `topup keys`)
from topup.cli.app import app
from topup.cli.keys import redacted_logs
from topup.keys.reading import KeyLine
from topup.keys.rows import ROW_FIELDS
from topup.keys.run import InFlight
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.secrets import fingerprint, mask

WIDE = {"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"}
UNKNOWN_KEY = "sk-unknownunknownunknownunknown0001"


@dataclass
class Relay:
    server: SandboxServer
    state: SandboxState
    url: str
    good: list[str]
    exhausted: str
    router_url: str
    router_key: str

    @property
    def every_key(self) -> list[str]:
        return [*self.good, self.exhausted, self.router_key, UNKNOWN_KEY]


@pytest.fixture(scope="module")
def relay() -> Iterator[Relay]:
    state = SandboxState()
    with SandboxServer(state) as server:
        state.add_site("relay", "newapi")
        good = [k.key for k in state.bulk_keys("relay", 5, balance="2.5")]
        exhausted = state.add_key("relay", remain=0).key
        state.add_site("router", "openrouter")
        router_key = state.add_key("router", limit="10").key
        yield Relay(
            server,
            state,
            server.site_url("relay"),
            good,
            exhausted,
            server.site_url("router"),
            router_key,
        )


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["keys", "check", *args], input=input, env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def write(tmp_path: Path, text: str, name: str = "keys.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_plain_key_file_rows_keep_the_input_order_with_blank_and_comment_lines_counted(
    relay: Relay, tmp_path: Path
) -> None:
    text = "# my keys\n\n" + "\n".join(relay.good) + "\n"
    code, out, err = run(write(tmp_path, text), "--base-url", relay.url, "--json")
    rows = jsonl(out)
    assert [r["line"] for r in rows] == [3, 4, 5, 6, 7]
    assert [r["key"] for r in rows] == [mask(k) for k in relay.good]
    assert [r["fingerprint"] for r in rows] == [fingerprint(k) for k in relay.good]
    assert all(list(r) == list(ROW_FIELDS) for r in rows)
    assert {(r["provider"], r["status"], r["balance"], r["currency"]) for r in rows} == {
        ("newapi", "ok", "2.5", "USD")
    }
    assert [r["name"] for r in rows] == [f"line-{n}" for n in range(3, 8)]
    assert "5 keys: 5 ok · 0 exhausted · 0 invalid · 0 failed" in err
    assert "Total: 12.50 USD" in err
    assert code == 0


def test_invalid_and_exhausted_keys_are_counted_and_set_the_exit_status(
    relay: Relay, tmp_path: Path
) -> None:
    path = write(tmp_path, f"{relay.good[0]}\n{relay.exhausted}\n")
    code, out, err = run(path, "--base-url", relay.url, "--json")
    assert [r["status"] for r in jsonl(out)] == ["ok", "exhausted"]
    assert "2 keys: 1 ok · 1 exhausted · 0 invalid · 0 failed" in err
    assert code == 3

    path = write(tmp_path, f"{relay.good[0]}\n{relay.exhausted}\n{UNKNOWN_KEY}\n")
    code, out, err = run(path, "--base-url", relay.url, "--json")
    rows = jsonl(out)
    assert [r["status"] for r in rows] == ["ok", "exhausted", "auth_error"]
    assert rows[2]["balance"] is None  # unknown is never zero
    assert "3 keys: 1 ok · 1 exhausted · 1 invalid · 0 failed" in err
    assert code == 1


def test_csv_file_detects_openrouter_and_the_relay_and_reports_the_ambiguous_line(
    relay: Relay, tmp_path: Path
) -> None:
    lines = ["name,key,base_url"]
    lines += [f"relay-{i},{k},{relay.url}" for i, k in enumerate(relay.good[:2])]
    lines += [f"router,{relay.router_key},{relay.router_url}"]
    lines += ["bare,sk-nobaseurlnobaseurlnobaseurl01,"]
    lines += [f"gateway,vck_gatewaykeygatewaykey01,{relay.router_url}"]
    code, out, err = run(write(tmp_path, "\n".join(lines) + "\n", "keys.csv"), "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(ROW_FIELDS)
    by_name = {r["name"]: r for r in rows}
    assert [r["line"] for r in rows] == ["2", "3", "4", "5", "6"]
    assert by_name["relay-0"]["provider"] == "newapi" and by_name["relay-0"]["status"] == "ok"
    assert by_name["router"]["provider"] == "openrouter"
    assert (by_name["router"]["status"], by_name["router"]["balance"]) == ("ok", "10")
    bare = by_name["bare"]
    assert (bare["status"], bare["provider"], bare["balance"]) == ("config_error", "", "")
    assert "pass --provider" in bare["message"] and "openrouter" in bare["message"]
    assert by_name["gateway"]["provider"] == "vercel"  # the key's shape names its platform
    assert "5 keys: 3 ok" in err
    assert code == 1


def test_raw_keys_never_appear_in_any_output(relay: Relay, tmp_path: Path) -> None:
    lines = ["key,base_url,name"]
    lines += [f"{k},{relay.url},n{i}" for i, k in enumerate(relay.every_key)]
    path = write(tmp_path, "\n".join(lines) + "\n", "keys.csv")
    for fmt in ("--csv", "--json", None):
        code, out, err = run(path, *([fmt] if fmt else []))
        assert code == 1
        for key in relay.every_key:
            assert key not in out and key not in err, fmt
            assert key[5:-4] not in out + err, fmt  # not even the middle


def test_stdin_is_read_with_a_dash(relay: Relay) -> None:
    text = "\n".join(relay.good[:3]) + "\n"
    code, out, _ = run("-", "--base-url", relay.url, "--json", input=text)
    assert [r["line"] for r in jsonl(out)] == [1, 2, 3]
    assert code == 0


def test_the_table_is_the_default_with_the_summary_under_it(relay: Relay, tmp_path: Path) -> None:
    path = write(tmp_path, f"{relay.good[0]}\n{relay.exhausted}\nnot a key\n")
    code, out, err = run(path, "--base-url", relay.url)
    assert err == ""
    assert "Fingerprint" in out and mask(relay.good[0]) in out
    assert "2.50 USD" in out and "exhausted" in out and "config_error" in out
    assert "one key per line" in out
    assert out.index("3 keys: 1 ok · 1 exhausted · 0 invalid · 1 failed") > out.index("2.50 USD")
    assert code == 1


def test_a_provider_column_and_option_choose_the_platform(relay: Relay, tmp_path: Path) -> None:
    lines = ["key,provider", f"{relay.good[0]},newapi", f"{relay.good[1]},siliconflw"]
    path = write(tmp_path, "\n".join(lines) + "\n", "keys.csv")
    code, out, _ = run(path, "--base-url", relay.url, "--json")
    rows = jsonl(out)
    assert rows[0]["status"] == "ok"
    assert rows[1]["status"] == "config_error"
    assert "unknown provider 'siliconflw'" in rows[1]["message"]
    assert "did you mean 'siliconflow'" in rows[1]["message"]
    code, out, _ = run("-", "--provider", "newapi", "--json", input=relay.good[0] + "\n")
    assert jsonl(out)[0]["status"] == "config_error"  # a relay has no default base URL
    assert "missing base_url" in jsonl(out)[0]["message"]
    assert code == 1


def test_lines_that_cannot_be_checked_say_why(relay: Relay, tmp_path: Path) -> None:
    lines = [
        "key,base_url",
        f"env:HOME,{relay.url}",
        f"{relay.good[0]},ftp://example.invalid",
        f"{relay.good[0]},{relay.url},extra",
        f",{relay.url}",
    ]
    code, out, _ = run(write(tmp_path, "\n".join(lines) + "\n", "keys.csv"), "--json")
    messages = [r["message"] for r in jsonl(out)]
    assert "not env: or file: references" in messages[0]
    assert "base_url must be an http(s) URL" in messages[1]
    assert "3 values, but the header has 2 columns" in messages[2]
    assert "no key" in messages[3]
    assert {r["status"] for r in jsonl(out)} == {"config_error"}
    assert code == 1


@pytest.mark.parametrize(
    ("args", "text", "expected"),
    [
        (["--provider", "opnrouter"], "sk-x\n", "unknown provider 'opnrouter'"),
        (["--provider", "xai"], "xai-key\n", "needs api_key + team_id"),
        (["--base-url", "relay.example.com"], "sk-x\n", "--base-url must be an http(s) URL"),
        ([], "key,base_ur\nsk-x,https://x\n", "unknown column 'base_ur'"),
        (["--csv", "--json"], "sk-x\n", "choose one of --json and --csv"),
    ],
)
def test_usage_errors_exit_2_before_anything_is_checked(
    tmp_path: Path, args: list[str], text: str, expected: str
) -> None:
    code, out, err = run(write(tmp_path, text), *args)
    assert code == 2
    assert expected in " ".join(err.split())
    assert out == ""


def test_a_missing_key_file_is_a_located_usage_error(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nope.txt"))
    assert code == 2
    assert "nope.txt" in err and "cannot read the key file" in err


def test_check_settings_come_from_the_config_given(relay: Relay, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[check]\ntimeout = 5\nconcurrency = 2\n", encoding="utf-8")
    code, out, _ = run(
        "-", "--base-url", relay.url, "--json", "--config", str(config), input=relay.good[0]
    )
    assert jsonl(out)[0]["balance"] == "2.5" and code == 0
    config.write_text("[check]\ntimeout = -1\n", encoding="utf-8")
    code, _, err = run("-", "--config", str(config), input=relay.good[0])
    assert code == 2 and "config.toml" in err


def test_amounts_are_exact_decimals(relay: Relay) -> None:
    key = relay.state.add_key("relay", balance="0.1").key
    code, out, _ = run("-", "--base-url", relay.url, "--json", input=f"{key}\n{key}\n{key}\n")
    assert [Decimal(r["balance"]) for r in jsonl(out)] == [Decimal("0.1")] * 3
    assert code == 0


def test_log_records_mask_the_keys_being_checked() -> None:
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Capture()
    root = logging.getLogger()
    root.addHandler(handler)
    live = InFlight()
    key = "sk-querykeyquerykeyquerykey0001"
    try:
        with redacted_logs(live):
            live.add(KeyLine(7, key))
            logging.getLogger("httpx").warning("HTTP Request: GET https://r.example/b?key=%s", key)
            live.done(KeyLine(7, key))
    finally:
        root.removeHandler(handler)
    assert records == [f"HTTP Request: GET https://r.example/b?key={mask(key)}"]


def test_summary_table_and_errors_speak_chinese_and_the_rows_are_the_same_in_either_language(
    relay: Relay, tmp_path: Path
) -> None:
    lines = ["name,key,base_url,provider"]
    lines += [f"good,{relay.good[0]},{relay.url},", f"empty,{relay.exhausted},{relay.url},"]
    lines += ["nourl,sk-nobaseurlnobaseurlnobaseurl01,,newapi", f"bare,sk-x,{relay.url},xai"]
    path = write(tmp_path, "\n".join(lines) + "\n", "keys.csv")

    def zh(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["--lang", "zh-CN", "keys", "check", *args], env=WIDE)
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = zh(path)
    assert code == 1
    assert "行" in out and "名称" in out and "指纹" in out and "消息" in out
    assert "4 个密钥：1 个正常 · 1 个已耗尽 · 0 个无效 · 2 个失败" in out
    assert "合计：" in out and "config_error：按原样无法检查的行" in out
    assert "keys:" not in out and "Total:" not in out

    rows: dict[str, list[dict[str, Any]]] = {}
    for lang, runner in (("en", run), ("zh-CN", zh)):
        code, out, err = runner(path, "--json")
        assert code == 1, err
        rows[lang] = jsonl(out)
    assert rows["zh-CN"] == rows["en"]  # the stable interface, messages included
    assert "missing base_url" in rows["en"][2]["message"]

    code, out, err = zh(path, "--provider", "opnrouter")
    assert code == 2 and out == ""
    assert "未知平台 'opnrouter'（你是不是想写 'openrouter'？）" in " ".join(err.split())
    code, _, err = zh(str(tmp_path / "nope.txt"))
    assert code == 2 and "无法读取密钥文件" in err
