"""The runner over real HTTP on loopback: retries, deadlines, bounds, single-flight, failures."""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from fixtures_loopback import (
    SF_PATH,
    loopback,
    relay_account,
    relay_self,
    relay_status,
    sf_account,
    sf_ok,
)
from loopback import Loopback, free_port

from topup import attention
from topup.account import Account
from topup.collector import RUN_GC_THRESHOLD, fewer_collections
from topup.config import build_account
from topup.model import CheckResult, Status
from topup.platforms import Exchange
from topup.runner import Runner, RunOptions
from topup.runner import run as run_sync

__all__ = ["loopback"]  # the fixture, imported for pytest


def run(accounts: list[Account], **options: Any) -> tuple[list[CheckResult], float]:
    async def main() -> list[CheckResult]:
        async with Runner(RunOptions(**options)) as runner:
            return await runner.check_all(accounts)

    started = time.monotonic()
    results = asyncio.run(main())
    elapsed = time.monotonic() - started
    for result in results:
        assert isinstance(result.status, Status)
        if result.status is not Status.OK:
            assert result.message and result.message.strip(), result
    return results, elapsed


def one(account: Account, **options: Any) -> tuple[CheckResult, float]:
    results, elapsed = run([account], **options)
    return results[0], elapsed


# -- retries ---------------------------------------------------------------------------------
def test_429_retry_after_is_honoured_then_succeeds(loopback: Loopback) -> None:
    loopback.route(sf_ok("a", "12.5"))
    loopback.throttle(f"/a{SF_PATH}", times=1, retry_after="1")
    result, elapsed = one(sf_account(loopback, "a"), timeout=10)
    assert result.status is Status.OK, result
    assert result.balance == Decimal("12.5")
    assert loopback.count(f"/a{SF_PATH}") == 2
    assert elapsed >= 0.9


def test_retry_after_beyond_the_deadline_ends_rate_limited_without_waiting(
    loopback: Loopback,
) -> None:
    loopback.route(sf_ok("a", "1"))
    loopback.throttle(f"/a{SF_PATH}", times=5, retry_after="30")
    result, elapsed = one(sf_account(loopback, "a"), timeout=5)
    assert result.status is Status.RATE_LIMITED, result
    assert result.balance is None
    assert loopback.count(f"/a{SF_PATH}") == 1
    assert elapsed < 2


def test_retry_after_longer_than_max_retry_wait_is_not_honoured(loopback: Loopback) -> None:
    loopback.route(sf_ok("a", "1"))
    loopback.throttle(f"/a{SF_PATH}", times=5, retry_after="3")
    result, elapsed = one(sf_account(loopback, "a"), timeout=20, max_retry_wait=2)
    assert result.status is Status.RATE_LIMITED
    assert loopback.count(f"/a{SF_PATH}") == 1
    assert elapsed < 2


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, Status.AUTH_ERROR), (403, Status.AUTH_ERROR), (410, Status.ENDPOINT_RETIRED)],
)
def test_no_retry_on_auth_errors_or_gone(loopback: Loopback, status: int, expected: Status) -> None:
    loopback.route(Exchange(f"/a{SF_PATH}", status=status, json="Invalid token"))
    result, _ = one(sf_account(loopback, "a"), retries=3)
    assert result.status is expected
    assert loopback.count(f"/a{SF_PATH}") == 1


def test_relay_401_is_not_retried(loopback: Loopback) -> None:
    loopback.route(
        relay_status("r"),
        Exchange(
            "/r/api/user/self", status=401, json={"success": False, "message": "无权进行此操作"}
        ),
    )
    result, _ = one(relay_account(loopback, "r"), retries=3)
    assert result.status is Status.AUTH_ERROR
    assert loopback.count("/r/api/user/self") == 1


@pytest.mark.parametrize("status", [503, 504, 502])
def test_5xx_is_retried_then_unavailable(loopback: Loopback, status: int) -> None:
    loopback.route(Exchange(f"/a{SF_PATH}", status=status, json="Service Unavailable"))
    result, _ = one(sf_account(loopback, "a"), retries=2, timeout=10)
    assert result.status is Status.UNAVAILABLE, result
    assert result.balance is None
    assert loopback.count(f"/a{SF_PATH}") == 3


def test_503_then_success(loopback: Loopback) -> None:
    loopback.route(sf_ok("a", "3"))
    loopback.throttle(f"/a{SF_PATH}", times=1, retry_after="0", status=503)
    result, _ = one(sf_account(loopback, "a"), retries=2)
    assert result.status is Status.OK
    assert loopback.count(f"/a{SF_PATH}") == 2


# -- network failures and deadlines ----------------------------------------------------------
def test_connection_refused_is_unreachable() -> None:
    account = build_account(
        {
            "name": "gone",
            "provider": "siliconflow",
            "api_key": "sk-x",
            "base_url": f"http://127.0.0.1:{free_port()}",
        },
        env={},
    )
    result, elapsed = one(account, timeout=5)
    assert result.status is Status.UNREACHABLE, result
    assert result.balance is None
    assert elapsed < 3


def test_a_hanging_account_times_out_while_the_others_finish_promptly(
    loopback: Loopback,
) -> None:
    loopback.route(sf_ok("fast1", "1"), sf_ok("fast2", "2"), sf_ok("slow", "3"))
    loopback.hang(f"/stuck{SF_PATH}")
    loopback.delay(f"/slow{SF_PATH}", 0.5)
    accounts = [
        sf_account(loopback, "fast1"),
        sf_account(loopback, "stuck"),
        sf_account(loopback, "slow"),
        sf_account(loopback, "fast2"),
    ]
    results, elapsed = run(accounts, timeout=1.5)
    by_name = {r.account: r for r in results}
    assert [r.account for r in results] == ["fast1", "stuck", "slow", "fast2"]
    assert by_name["stuck"].status is Status.UNAVAILABLE
    assert by_name["stuck"].balance is None
    for name in ("fast1", "slow", "fast2"):
        assert by_name[name].status is Status.OK, by_name[name]
        duration = by_name[name].duration
        assert duration is not None and duration < 1.2
    assert 1.4 <= elapsed < 3.0


def test_many_hanging_accounts_time_out_together_not_one_after_another(
    loopback: Loopback,
) -> None:
    for i in range(5):
        loopback.hang(f"/h{i}{SF_PATH}")
    accounts = [sf_account(loopback, f"h{i}") for i in range(5)]
    results, elapsed = run(accounts, timeout=1)
    assert all(r.status is Status.UNAVAILABLE for r in results)
    assert elapsed < 2.5


def test_a_connection_cut_mid_body_is_unavailable(loopback: Loopback) -> None:
    loopback.route(sf_ok("a", "5"))
    loopback.cut(f"/a{SF_PATH}", keep=20)
    result, _ = one(sf_account(loopback, "a"), retries=0)
    assert result.status is Status.UNAVAILABLE, result
    assert result.balance is None


# -- bounds ----------------------------------------------------------------------------------
def test_per_host_bound_is_respected(loopback: Loopback) -> None:
    names = [f"p{i}" for i in range(9)]
    for name in names:
        loopback.route(sf_ok(name, "1"))
        loopback.delay(f"/{name}{SF_PATH}", 0.2)
    results, elapsed = run(
        [sf_account(loopback, n) for n in names], concurrency=32, per_host=3, timeout=10
    )
    assert all(r.status is Status.OK for r in results)
    assert loopback.max_in_flight == 3
    assert elapsed < 9 * 0.2  # still concurrent


def test_overall_bound_is_respected_across_hosts() -> None:
    with Loopback() as one_host, Loopback() as other_host:
        accounts = []
        for server in (one_host, other_host):
            for i in range(5):
                server.route(sf_ok(f"c{i}", "1"))
                server.delay(f"/c{i}{SF_PATH}", 0.2)
                accounts.append(sf_account(server, f"{server.url[-5:]}-c{i}", prefix=f"c{i}"))
        in_flight: list[int] = []

        async def main() -> list[CheckResult]:
            async with Runner(RunOptions(concurrency=3, per_host=3, timeout=10)) as runner:

                async def sample() -> None:
                    while True:
                        in_flight.append(one_host.in_flight + other_host.in_flight)
                        await asyncio.sleep(0.01)

                sampler = asyncio.create_task(sample())
                try:
                    return await runner.check_all(accounts)
                finally:
                    sampler.cancel()

        results = asyncio.run(main())
    assert all(r.status is Status.OK for r in results)
    assert max(in_flight) <= 3
    assert one_host.max_in_flight <= 3 and other_host.max_in_flight <= 3


def test_new_api_status_is_fetched_once_per_base_url(loopback: Loopback) -> None:
    loopback.route(relay_status("site"), relay_status("other"))
    loopback.delay("/site/api/status", 0.2)
    accounts = []
    for i in range(12):
        loopback.route(relay_self("site", quota=500000 * (i + 1)))
        accounts.append(relay_account(loopback, f"r{i}", prefix="site"))
    loopback.route(relay_self("other", quota=500000))
    accounts.append(relay_account(loopback, "o", prefix="other"))
    results, _ = run(accounts, timeout=10)
    assert all(r.status is Status.OK for r in results), results
    assert loopback.count("/site/api/status") == 1
    assert loopback.count("/other/api/status") == 1
    assert loopback.count("/site/api/user/self") == 12


def test_a_hanging_shared_status_endpoint_fails_each_account_not_the_run(
    loopback: Loopback,
) -> None:
    loopback.hang("/site/api/status")
    loopback.route(relay_self("site", quota=500000))
    accounts = [relay_account(loopback, f"r{i}", prefix="site") for i in range(4)]
    loopback.route(sf_ok("sf", "9"))
    accounts.append(sf_account(loopback, "sf"))
    results, elapsed = run(accounts, timeout=1)
    assert [r.account for r in results] == ["r0", "r1", "r2", "r3", "sf"]
    assert all(r.status is Status.UNAVAILABLE for r in results[:4]), results
    assert results[4].status is Status.OK
    assert elapsed < 3


def test_waiters_on_a_shared_status_outlive_an_owner_with_a_shorter_deadline(
    loopback: Loopback,
) -> None:
    loopback.route(relay_status("site"), relay_self("site", quota=1000000))
    loopback.delay("/site/api/status", 1.0)
    short = relay_account(loopback, "short", prefix="site", timeout=0.5)
    patient = relay_account(loopback, "patient", prefix="site", timeout=5)
    results, _ = run([short, patient])
    assert results[0].status is Status.UNAVAILABLE
    assert results[1].status is Status.OK, results[1]
    assert results[1].balance == Decimal(2)


# -- answers that are not what was documented ------------------------------------------------
def test_an_oversize_body_is_a_bad_response(loopback: Loopback) -> None:
    big = sf_ok("a", "1")
    padded = Exchange(big.path, json={**big.json, "padding": "x" * 50_000})
    loopback.route(padded)
    result, _ = one(sf_account(loopback, "a"), max_body=16 * 1024)
    assert result.status is Status.BAD_RESPONSE, result
    assert "KiB" in (result.message or "")
    assert result.balance is None


def test_truncated_json_over_http_is_a_bad_response(loopback: Loopback) -> None:
    loopback.route(
        Exchange(f"/a{SF_PATH}", text='{"code":20000,"status":true,"data":{"totalBal'),
        Exchange(
            "/r/api/user/self",
            text='{"success":true,"data":{"quota":50000',
            headers={"content-type": "application/json"},
        ),
        relay_status("r"),
    )
    results, _ = run([sf_account(loopback, "a"), relay_account(loopback, "r")])
    assert [r.status for r in results] == [Status.BAD_RESPONSE, Status.BAD_RESPONSE]
    assert all(r.balance is None for r in results)


def test_html_pages_over_http(loopback: Loopback) -> None:
    login = "<!DOCTYPE html><html><head><title>Login</title></head><body>x</body></html>"
    html = {"content-type": "text/html; charset=utf-8"}
    loopback.route(
        Exchange(f"/ok{SF_PATH}", text=login, headers=html),
        Exchange(
            f"/bad{SF_PATH}",
            status=502,
            text="<html><title>Bad Gateway</title></html>",
            headers=html,
        ),
        relay_status("r"),
        Exchange("/r/api/user/self", text=login, headers=html),
    )
    results, _ = run(
        [sf_account(loopback, "ok"), sf_account(loopback, "bad"), relay_account(loopback, "r")],
        retries=1,
    )
    assert results[0].status is Status.BAD_RESPONSE
    assert "HTML" in (results[0].message or "")
    assert results[1].status is Status.UNAVAILABLE
    assert "HTML" in (results[1].message or "")
    assert results[2].status is Status.BAD_RESPONSE
    assert loopback.count(f"/bad{SF_PATH}") == 2


def test_a_broken_account_does_not_break_the_others(loopback: Loopback) -> None:
    loopback.route(
        sf_ok("good", "4.20"),
        Exchange(f"/weird{SF_PATH}", json=[1, 2, 3]),
        Exchange(f"/nulls{SF_PATH}", json={"code": 20000, "status": True, "data": None}),
        Exchange(
            f"/nan{SF_PATH}", json={"code": 20000, "status": True, "data": {"totalBalance": "NaN"}}
        ),
    )
    results, _ = run([sf_account(loopback, n) for n in ("weird", "good", "nulls", "nan")])
    statuses = {r.account: r.status for r in results}
    assert statuses == {
        "weird": Status.BAD_RESPONSE,
        "good": Status.OK,
        "nulls": Status.BAD_RESPONSE,
        "nan": Status.BAD_RESPONSE,
    }
    assert results[1].balance == Decimal("4.20")


# -- results ---------------------------------------------------------------------------------
def test_results_are_marked_as_attention_marks_them(loopback: Loopback) -> None:
    loopback.route(
        sf_ok("plenty", "50"),
        sf_ok("low", "2"),
        Exchange(f"/refused{SF_PATH}", status=401, json={"message": "Invalid sk-test-key-0000"}),
    )
    accounts = [
        sf_account(loopback, "plenty", min_balance="5"),
        sf_account(loopback, "low", min_balance="5"),
        sf_account(loopback, "refused", min_balance="5"),
    ]
    results, _ = run(accounts, timeout=10)
    assert [(r.status, r.low, r.attention) for r in results] == [
        (Status.OK, False, ()),
        (Status.OK, True, ("low",)),
        (Status.AUTH_ERROR, False, ("failing",)),
    ]
    for account, result in zip(accounts, results, strict=True):
        unmarked = replace(result, low=None, attention=None)
        expected = attention.marked(account, unmarked)
        assert (result.low, result.attention) == (expected.low, expected.attention)
    assert "sk-test-key-0000" not in (results[2].message or "")  # sanitised where it is made


def test_the_collector_runs_less_often_during_a_batch_and_as_before_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] >= RUN_GC_THRESHOLD
        with fewer_collections():
            assert gc.get_threshold()[0] >= RUN_GC_THRESHOLD
        assert gc.get_threshold()[0] >= RUN_GC_THRESHOLD  # the outer batch still runs
    assert gc.get_threshold() == before
    assert run_sync([]) == []
    assert gc.get_threshold() == before
