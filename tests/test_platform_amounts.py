"""Amounts from the platforms: absurd numbers are bad responses, never crashes or hangs."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

from replay import Replay

from topup.config import build_account
from topup.display import money
from topup.platforms import Exchange
from topup.runner import Runner, RunOptions


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
