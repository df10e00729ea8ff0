"""Every platform's own cases (answer -> expected result), run through the real runner."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from replay import Replay

from topup.config import build_account
from topup.model import RESULT_FIELDS, CheckResult
from topup.platforms import Case, all_providers
from topup.runner import Runner, RunOptions

CASES = [
    pytest.param(name, case, id=f"{name}: {case.name}")
    for name, provider in sorted(all_providers().items())
    for case in provider.test_cases()
]


def run_case(provider: str, case: Case) -> tuple[CheckResult, Replay]:
    replay = Replay(case.exchanges)
    account = build_account({"name": "case", "provider": provider, **case.account}, env={})

    async def main() -> CheckResult:
        async with Runner(RunOptions(retries=0, timeout=5), transport=replay.transport) as runner:
            return await runner.check(account)

    return asyncio.run(main()), replay


def same(expected: Any, actual: Any) -> bool:
    if isinstance(actual, Decimal):
        return expected is not None and Decimal(str(expected)) == actual
    if hasattr(actual, "value"):
        return bool(expected == actual.value)
    return bool(expected == actual)


@pytest.mark.parametrize(("provider", "case"), CASES)
def test_case(provider: str, case: Case) -> None:
    result, replay = run_case(provider, case)
    assert not replay.errors, replay.errors
    assert not replay.pending, f"answers not asked for: {[e.path for e in replay.pending]}"
    for field, expected in case.expect.items():
        assert field in RESULT_FIELDS, field
        actual = getattr(result, field)
        assert same(expected, actual), f"{field}: expected {expected!r}, got {actual!r} ({result})"
    if result.status.value != "ok":
        assert result.message, "a result that is not ok explains itself"


def test_every_provider_has_cases() -> None:
    for name, provider in all_providers().items():
        assert provider.test_cases(), f"{name} declares no test cases"


def test_failure_statuses_are_all_covered() -> None:
    seen = {
        case.expect.get("status")
        for provider in all_providers().values()
        for case in provider.test_cases()
    }
    for status in (
        "ok",
        "auth_error",
        "exhausted",
        "rate_limited",
        "unavailable",
        "endpoint_retired",
        "bad_response",
        "disabled",
    ):
        assert status in seen, f"no case ends in {status}"
