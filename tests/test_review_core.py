"""Fixes from the core review, each pinned by the failure it had."""

from __future__ import annotations

import asyncio
import socket
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from replay import Replay, dumps
from typer.testing import CliRunner

from topup.cli.app import app
from topup.config import build_account, parse
from topup.display import money
from topup.errors import ConfigError
from topup.platforms import Exchange
from topup.runner import Runner, RunOptions
from topup.secrets import Secret, scrub
from topup.storage import Store, sqlite_url
from topup.watch import Watcher


def check(provider: str, fields: dict[str, object], exchanges: list[Exchange]) -> object:
    replay = Replay(exchanges)
    account = build_account({"name": "a", "provider": provider, **fields}, env={})

    async def main() -> object:
        async with Runner(RunOptions(retries=0, timeout=5), transport=replay.transport) as r:
            return await r.check(account)

    return asyncio.run(main())


def test_a_huge_exponent_is_not_turned_into_a_huge_integer() -> None:
    started = time.monotonic()
    token = {
        "code": True,
        "data": {"total_available": 1_000_000, "expires_at": Decimal("1e700000")},
    }
    result = check(
        "newapi",
        {"base_url": "https://r.example", "api_key": "sk-huge-0000000001"},
        [
            Exchange("/api/status", json={"success": True, "data": {}}),
            Exchange("/api/usage/token/", json=token),
        ],
    )
    assert time.monotonic() - started < 2
    assert result.status.value == "ok" and result.expires_at is None  # type: ignore[attr-defined]


def test_an_implausible_amount_is_a_bad_response_and_display_never_crashes() -> None:
    body = {"code": 20000, "status": True, "data": {"totalBalance": "1e30"}}
    result = check(
        "siliconflow", {"api_key": "sk-x-00000001"}, [Exchange("/v1/user/info", json=body)]
    )
    assert result.status.value == "bad_response"  # type: ignore[attr-defined]
    assert money(Decimal("1e30"), "USD").endswith(".00 USD")


def test_a_credential_with_a_line_break_is_refused_without_echo(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("sk-firstline-SECRET-aaaa1111\nsk-second-SECRET-bbbb2222\n")
    with pytest.raises(ConfigError) as caught:
        build_account(
            {"name": "a", "provider": "siliconflow", "api_key": f"file:{key}"}, base_dir=tmp_path
        )
    assert "SECRET" not in str(caught.value) and "line break" in str(caught.value)


def test_scrub_masks_the_escaped_form_of_a_secret() -> None:
    raw = "sk-first-SECRET-1\nsk-second-SECRET-2"
    text = f"Illegal header value {raw.encode()!r}"
    assert "SECRET" not in scrub(text, [Secret(raw)])


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


def test_timeout_as_a_duration_string_works() -> None:
    from topup.cli.check import run_options

    assert run_options(parse('[check]\ntimeout = "20s"\n')).timeout == 20


def test_a_failed_status_answer_is_not_cached() -> None:
    answers = iter(
        [
            httpx.Response(503, text="<html>down</html>", headers={"content-type": "text/html"}),
            httpx.Response(200, text=dumps({"data": {"quota": 2_000_000}, "success": True})),
            httpx.Response(
                200, text=dumps({"success": True, "data": {"quota_per_unit": 1_000_000}})
            ),
            httpx.Response(200, text=dumps({"data": {"quota": 2_000_000}, "success": True})),
        ]
    )
    transport = httpx.MockTransport(lambda request: next(answers))
    account = build_account(
        {
            "name": "a",
            "provider": "newapi",
            "base_url": "https://r.example",
            "access_token": "tok-000001",
            "user_id": 1,
        },
        env={},
    )

    async def main() -> list[Decimal | None]:
        async with Runner(RunOptions(retries=0, timeout=5), transport=transport) as runner:
            first = await runner.check(account)  # status failed: falls back to 500000
            second = await runner.check(account)  # asks again, gets 1000000
            return [first.balance, second.balance]

    assert asyncio.run(main()) == [Decimal(4), Decimal(2)]


def test_check_keeps_its_table_when_the_history_url_is_unusable(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[storage]\nurl = "nosuch://x"\n')
    out = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert out.exit_code == 0 and "No accounts" in out.stdout


def test_a_check_asked_for_at_shutdown_is_finished(tmp_path: Path) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.5)
        return httpx.Response(
            200, text=dumps({"code": 20000, "status": True, "data": {"totalBalance": "3"}})
        )

    account = build_account(
        {"name": "a", "provider": "siliconflow", "api_key": "sk-slow-0001"}, env={}
    )
    store = Store.open(sqlite_url(tmp_path / "h.db"))

    async def main() -> str:
        runner = Runner(RunOptions(timeout=5), transport=httpx.MockTransport(slow))
        watcher = Watcher([account], store, runner=runner)
        watcher.options = type(watcher.options)(interval=3600, start_spread=3600)
        stop = asyncio.Event()
        running = asyncio.create_task(watcher.run(stop))
        await asyncio.sleep(0.05)
        asked = asyncio.create_task(watcher.check_now())
        await asyncio.sleep(0.1)
        stop.set()  # the dashboard's Check now is in flight
        await running
        results = await asked
        return results[0].status.value

    assert asyncio.run(main()) == "ok"
    assert [c.status.value for c in store.check_history("a")] == ["ok"]
    store.close()


def test_serve_on_a_busy_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = tmp_path / "c.toml"
        config.write_text("")
        out = CliRunner().invoke(
            app,
            ["serve", "--config", str(config), "--db", str(tmp_path / "h.db"), "--port", str(port)],
        )
    assert out.exit_code == 1
    assert "could not listen" in out.output
