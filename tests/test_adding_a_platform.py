"""Adding a platform is one folder and one registry line: it then appears everywhere.

``tests/data/toyplatform/toy/`` is a platform written by following the README's how-to (a
client, its cases, its imitation, its demo accounts). Registering it must be enough for
`topup providers`, the sandbox and its admin API, the demo, and the generic case tests.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_imitated_cases import stage
from test_provider_cases import run_case, same
from typer.testing import CliRunner

from topup import demo
from topup.account import Account
from topup.cli.app import app as cli_app
from topup.config import build_account
from topup.model import CheckResult
from topup.platforms import Provider, get_provider, register, unregister
from topup.runner import Runner, RunOptions
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

TOY_ROOT = Path(__file__).parent / "data" / "toyplatform"


@pytest.fixture
def toy() -> Iterator[type[Provider]]:
    sys.path.insert(0, str(TOY_ROOT))
    try:
        from toy.client import Toy  # type: ignore[import-not-found]

        register(Toy)  # the one registry line
        yield Toy
    finally:
        unregister("toy")
        sys.path.remove(str(TOY_ROOT))


def test_it_is_listed_by_topup_providers(toy: type[Provider]) -> None:
    import topup.cli.providers  # noqa: F401 - registers the command

    result = CliRunner().invoke(cli_app, ["providers", "--json"])
    assert result.exit_code == 0, result.output
    assert "toy" in {p["name"] for p in json.loads(result.output)}


def test_its_recorded_cases_replay_against_its_client(toy: type[Provider]) -> None:
    cases = toy.test_cases()
    assert len(cases) == 2
    for case in cases:
        result, replay = run_case("toy", case)
        assert not replay.errors
        for field, expected in case.expect.items():
            assert same(expected, getattr(result, field)), (case.name, field, result)


def test_the_sandbox_serves_it_and_the_admin_api_creates_its_sites(toy: type[Provider]) -> None:
    with SandboxServer(SandboxState()) as srv, httpx.Client(base_url=srv.url) as c:
        assert "/{site}/toy/balance" in c.get("/openapi.json").json()["paths"]
        assert c.post("/_sandbox/sites", json={"name": "t", "dialect": "toy"}).status_code == 201
        made = c.post("/_sandbox/sites/t/accounts", json={"left": "3.25"})
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        answer = c.get("/t/toy/balance", headers={"Authorization": f"Bearer {token}"})
        assert answer.json() == {"left": 3.25, "currency": "EUR"}
        assert c.post("/_sandbox/sites/t/accounts", json={"quota": 1}).status_code == 422


def test_its_staged_cases_and_demo_account_check_over_real_http(toy: type[Provider]) -> None:
    state = SandboxState()
    accounts = demo.populate(state)
    toy_demo = [a for a in accounts if a.provider == "toy"]
    assert [a.name for a in toy_demo] == ["toy"]
    with SandboxServer(state) as srv:
        config = demo.config_text(srv.url, toy_demo)
        assert 'provider = "toy"' in config
        fields = {"name": "toy", "provider": "toy", "base_url": f"{srv.url}/toy"}
        account = build_account({**fields, **toy_demo[0].fields}, env={})

        for case in toy.test_cases():
            assert case.staged is not None
            staged = build_account(stage(srv, "toy", case.staged), env={})
            got = asyncio.run(check(staged))
            for field, expected in case.expect.items():
                assert same(expected, getattr(got, field)), (case.name, field, got)
        result = asyncio.run(check(account))
    assert result.status == "ok" and result.currency == "EUR"
    assert result.balance is not None and 12 <= result.balance <= 12.5
    assert get_provider("toy") is toy


async def check(account: Account) -> CheckResult:
    async with Runner(RunOptions(retries=0, timeout=5)) as runner:
        return await runner.check(account)
