"""`topup check` against the sandbox over real HTTP: every dialect, auth era and fault."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from topup.cli.app import app
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

PAST = 1_600_000_000


@dataclass
class World:
    server: SandboxServer
    state: SandboxState
    tmp: Path
    lines: list[str] = field(default_factory=list)

    def account(self, name: str, site: str, provider: str = "newapi", **fields: Any) -> None:
        self.lines += [
            "[[accounts]]",
            f'name = "{name}"',
            f'provider = "{provider}"',
            f'base_url = "{self.server.url}/{site}"',
        ]
        self.lines += [
            f"{k} = {json.dumps(v) if isinstance(v, str) else v}" for k, v in fields.items()
        ]
        self.lines.append("")

    def check(self, *args: str, timeout: float = 5) -> tuple[int, dict[str, dict[str, Any]]]:
        path = self.tmp / "config.toml"
        path.write_text("\n".join(self.lines), encoding="utf-8")
        result = CliRunner().invoke(
            app, ["check", "--json", "--config", str(path), "--timeout", str(timeout), *args]
        )
        document = json.loads(result.stdout)
        return result.exit_code, {r["account"]: r for r in document["results"]}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    state = SandboxState()
    with SandboxServer(state) as server:
        yield World(server, state, tmp_path)


def amount(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def test_siliconflow_both_hosts(world: World) -> None:
    for site in ("sf-com", "sf-cn"):
        world.state.add_site(site, "siliconflow")
    world.state.add_account("sf-com", token="sk-com-0001", granted="0.88", paid="88.00")
    world.state.add_account("sf-cn", token="sk-cn-0001", granted="1", paid="-0.01")
    world.account("com", "sf-com", "siliconflow", api_key="sk-com-0001")
    world.account("cn", "sf-cn", "siliconflow", api_key="sk-cn-0001", currency="CNY")
    world.account("bad", "sf-com", "siliconflow", api_key="sk-wrong")
    code, r = world.check()
    assert (r["com"]["status"], r["com"]["currency"]) == ("ok", "USD")
    assert amount(r["com"]["balance"]) == Decimal("88.88")
    assert amount(r["com"]["granted"]) == Decimal("0.88")
    assert amount(r["com"]["paid"]) == Decimal("88.00")
    assert (r["cn"]["currency"], amount(r["cn"]["balance"])) == ("CNY", Decimal("0.99"))
    assert r["bad"]["status"] == "auth_error" and r["bad"]["balance"] is None
    assert code == 1


@pytest.mark.parametrize(
    ("era", "header"), [("oneapi", None), ("newapi", "New-Api-User"), ("header:X-Api-User", None)]
)
def test_account_mode_every_auth_era(world: World, era: str, header: str | None) -> None:
    world.state.add_site("relay", "newapi", auth_era=era)
    good = world.state.add_account(
        "relay", token="tok-good-00001", quota=2_500_000, used_quota=500_000
    )
    world.account("good", "relay", access_token="tok-good-00001", user_id=int(good.id))
    world.account("badtoken", "relay", access_token="tok-nope-00001", user_id=int(good.id))
    code, r = world.check()
    assert r["good"]["status"] == "ok", r["good"]
    assert amount(r["good"]["balance"]) == Decimal(5)
    assert amount(r["good"]["used"]) == Decimal(1)
    assert r["badtoken"]["status"] == "auth_error", r["badtoken"]
    assert code == 1


def test_newest_era_codes(world: World) -> None:
    state = world.state
    state.add_site("new", "newapi", auth_era="newest")
    ok = state.add_account("new", token="tok-ok-000001", quota=500_000)
    expired = state.add_account("new", token="tok-exp-00001", quota=500_000, token_expires_at=PAST)
    banned = state.add_account("new", token="tok-ban-00001", quota=500_000, status=2)
    world.account("ok", "new", access_token="tok-ok-000001", user_id=int(ok.id))
    world.account("expired", "new", access_token="tok-exp-00001", user_id=int(expired.id))
    world.account("banned", "new", access_token="tok-ban-00001", user_id=int(banned.id))
    _, r = world.check()
    assert (r["ok"]["status"], amount(r["ok"]["balance"])) == ("ok", Decimal(1))
    assert r["expired"]["status"] == "auth_error"
    assert r["banned"]["status"] == "disabled"


def test_cny_display_and_unit_override(world: World) -> None:
    world.state.add_site("cny", "newapi", display="CNY", usd_exchange_rate="7.2")
    acc = world.state.add_account("cny", token="tok-cny-00001", quota=1_000_000)
    world.account("cny", "cny", access_token="tok-cny-00001", user_id=int(acc.id))
    world.account(
        "priced-in-cny",
        "cny",
        access_token="tok-cny-00001",
        user_id=int(acc.id),
        currency="CNY",
        quota_per_unit="500000",
    )
    code, r = world.check()
    assert (r["cny"]["currency"], amount(r["cny"]["balance"])) == ("CNY", Decimal("14.4"))
    assert (r["priced-in-cny"]["currency"], amount(r["priced-in-cny"]["balance"])) == (
        "CNY",
        Decimal(2),
    )
    assert code == 0


def test_key_mode_usage_endpoint_fallback_unlimited_exhausted_expired(world: World) -> None:
    state = world.state
    state.add_site("modern", "newapi", token_usage=True)
    state.add_site("old", "newapi", auth_era="oneapi", token_usage=False)
    state.add_key("modern", key="sk-modern-000001", remain=1_000_000, used=500_000)
    state.add_key("modern", key="sk-unlim-0000001", unlimited=True, used=250_000)
    state.add_key("modern", key="sk-empty-0000001", remain=0, used=500_000)
    state.add_key("modern", key="sk-expired-00001", remain=500_000, expires_at=PAST)
    state.add_key("old", key="sk-old-000000001", remain=1_500_000, used=500_000)
    world.account("modern", "modern", api_key="sk-modern-000001")
    world.account("unlimited", "modern", api_key="sk-unlim-0000001")
    world.account("empty", "modern", api_key="sk-empty-0000001")
    world.account("expired", "modern", api_key="sk-expired-00001")
    world.account("old", "old", api_key="sk-old-000000001")
    world.account("unknown-key", "modern", api_key="sk-unknown-00001")
    code, r = world.check()
    assert r["modern"]["status"] == "ok"
    assert amount(r["modern"]["balance"]) == Decimal(2)
    assert amount(r["modern"]["used"]) == Decimal(1)
    assert r["unlimited"]["unlimited"] is True and r["unlimited"]["balance"] is None
    assert r["empty"]["status"] == "exhausted"
    assert r["expired"]["status"] == "exhausted"
    assert r["old"]["status"] == "ok"  # via /v1/dashboard/billing/*
    assert amount(r["old"]["balance"]) == Decimal(3)
    assert amount(r["old"]["used"]) == Decimal(1)
    assert r["unknown-key"]["status"] == "auth_error"
    assert code == 1


FAULTS = [
    ("html_503", "unavailable"),
    ("gateway_timeout", "unavailable"),
    ("gone", "endpoint_retired"),
    ("truncated_json", "bad_response"),
    ("success_false", "bad_response"),
    ("connection_reset", "unavailable"),
    ("endless_body", "unavailable"),
    ("rate_limit", "rate_limited"),
]


@pytest.mark.parametrize(("kind", "status"), FAULTS)
@pytest.mark.parametrize("dialect", ["siliconflow", "newapi"])
def test_every_fault_is_classified_and_others_unaffected(
    world: World, dialect: str, kind: str, status: str
) -> None:
    state = world.state
    state.add_site("broken", dialect)
    state.add_site("fine", dialect)
    if dialect == "siliconflow":
        state.add_account("broken", token="sk-broken-00001", paid="5")
        state.add_account("fine", token="sk-fine-0000001", paid="5")
        world.account("broken", "broken", "siliconflow", api_key="sk-broken-00001")
        world.account("fine", "fine", "siliconflow", api_key="sk-fine-0000001")
    else:
        b = state.add_account("broken", token="tok-broken-0001", quota=2_500_000)
        f = state.add_account("fine", token="tok-fine-00001", quota=2_500_000)
        world.account("broken", "broken", access_token="tok-broken-0001", user_id=int(b.id))
        world.account("fine", "fine", access_token="tok-fine-00001", user_id=int(f.id))
    state.set_fault("broken", kind, retry_after=30)
    code, r = world.check(timeout=2)
    assert r["broken"]["status"] == status, r["broken"]
    assert r["broken"]["balance"] is None and r["broken"]["message"]
    assert r["fine"]["status"] == "ok" and amount(r["fine"]["balance"]) == Decimal(5)
    assert code == 1


def test_a_429_once_is_retried_and_succeeds(world: World) -> None:
    world.state.add_site("busy", "siliconflow")
    world.state.add_account("busy", token="sk-busy-0000001", paid="7")
    world.state.set_fault("busy", "rate_limit", retry_after=1, times=1)
    world.account("busy", "busy", "siliconflow", api_key="sk-busy-0000001")
    code, r = world.check()
    assert r["busy"]["status"] == "ok" and amount(r["busy"]["balance"]) == Decimal(7)
    assert code == 0


def test_one_hanging_account_does_not_hold_up_the_others(world: World) -> None:
    state = world.state
    state.add_site("slow", "siliconflow")
    state.add_site("quick", "siliconflow")
    state.add_account("slow", token="sk-slow-0000001", paid="1")
    state.set_fault("slow", "latency", latency_ms=60_000)
    for i in range(6):
        state.add_account("quick", token=f"sk-quick-000000{i}", paid="2")
        world.account(f"quick-{i}", "quick", "siliconflow", api_key=f"sk-quick-000000{i}")
    world.account("slow", "slow", "siliconflow", api_key="sk-slow-0000001")
    started = time.monotonic()
    code, r = world.check(timeout=1.5)
    elapsed = time.monotonic() - started
    assert r["slow"]["status"] == "unavailable"
    assert all(r[f"quick-{i}"]["status"] == "ok" for i in range(6))
    assert elapsed < 6, elapsed  # the slow one's timeout, not 60 s
    assert code == 1


def test_low_balance_exits_3(world: World) -> None:
    world.state.add_site("sf", "siliconflow")
    world.state.add_account("sf", token="sk-low-00000001", paid="2")
    world.account("low", "sf", "siliconflow", api_key="sk-low-00000001", min_balance="5")
    code, r = world.check()
    assert r["low"]["status"] == "ok" and code == 3
