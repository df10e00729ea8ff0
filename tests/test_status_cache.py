"""The runner's cache of public answers (new-api's /api/status): only good answers are kept."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
from replay import dumps

from topup.config import build_account
from topup.runner import Runner, RunOptions


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
