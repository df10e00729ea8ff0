"""Every platform's cases, staged on its own imitation and checked over real HTTP.

The same ``expect`` as the recorded replay (tests/test_provider_cases.py): a client and its
imitation that drift apart fail here.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from test_provider_cases import same

from topup.config import build_account
from topup.model import RESULT_FIELDS, CheckResult
from topup.platforms import Case, Staged, all_providers
from topup.platforms.base import sibling
from topup.runner import Runner, RunOptions
from topup.sandbox.imitation import imitation_for
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

STAGED = [
    pytest.param(name, case, id=f"{name}: {case.name}")
    for name, provider in sorted(all_providers().items())
    for case in provider.test_cases()
    if case.staged is not None
]
_sites = itertools.count(1)


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxState()) as srv:
        yield srv


def stage(server: SandboxServer, provider_name: str, staged: Staged) -> dict[str, Any]:
    """Create the staged site, record and fault; the account config that checks it."""
    provider = all_providers()[provider_name]
    imitation = imitation_for(provider)
    assert imitation is not None, f"{provider_name} stages cases but has no imitation"
    state = server.state
    site = f"case-{next(_sites)}"
    state.add_site(site, imitation.dialect, **staged.site)
    if staged.key is not None:
        record = state.add_key(site, **staged.key)
    else:
        record = state.add_account(site, **(staged.account or {}))
    if staged.fault is not None:
        state.set_fault(site, **staged.fault, **{record.kind: record.ident})
    credentials = imitation.account_config(state.site(site), record)
    return {
        "name": "staged",
        "provider": provider_name,
        "base_url": f"{server.url}/{site}",
        **credentials,
        **staged.config,
    }


@pytest.mark.parametrize(("provider", "case"), STAGED)
def test_staged_case_gives_the_recorded_result(
    server: SandboxServer, provider: str, case: Case
) -> None:
    assert case.staged is not None
    account = build_account(stage(server, provider, case.staged), env={})

    async def main() -> CheckResult:
        async with Runner(RunOptions(retries=0, timeout=5)) as runner:
            return await runner.check(account)

    result = asyncio.run(main())
    for field, expected in case.expect.items():
        assert field in RESULT_FIELDS, field
        actual = getattr(result, field)
        assert same(expected, actual), f"{field}: expected {expected!r}, got {actual!r} ({result})"


def test_every_platform_with_an_imitation_stages_successes_and_failures() -> None:
    for name, provider in all_providers().items():
        if imitation_for(provider) is None:
            continue
        statuses = {c.expect.get("status") for c in provider.test_cases() if c.staged}
        assert "ok" in statuses, f"{name} stages no successful case"
        assert len(statuses - {"ok"}) >= 1, f"{name} stages no failure"


def test_staged_names_match_cases() -> None:
    for name, provider in all_providers().items():
        staged = sibling(provider, "cases", "STAGED") or {}
        names = {c.name for c in provider.test_cases()}
        assert set(staged) <= names, f"{name}: staged but no such case: {set(staged) - names}"
