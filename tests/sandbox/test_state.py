"""State: spend, spend rates, persistence across restarts, bulk creation."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxError, SandboxState


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def test_spend_rate_siliconflow() -> None:
    clock = Clock()
    st = SandboxState(clock=clock)
    st.add_site("sf", "siliconflow")
    acc = st.add_account("sf", granted="1", paid="10")
    st.set_spend_rate("sf", account=acc.id, per_hour="0.6")
    clock.advance(minutes=30)
    view = st.current(acc)
    assert (view.granted, view.paid) == (Decimal("0.7"), Decimal("10"))
    clock.advance(hours=2)
    view = st.current(acc)
    assert view.granted == 0 and view.paid == Decimal("9.5")
    assert isinstance(view.total, Decimal)


def test_spend_rate_newapi_account_and_key() -> None:
    clock = Clock()
    st = SandboxState(clock=clock)
    st.add_site("r", "newapi")
    acc = st.add_account("r", quota=1_000_000)
    key = st.add_key("r", remain=1_000_000)
    st.set_spend_rate("r", account=acc.id, per_hour="0.5")
    st.set_spend_rate("r", key=key.key, per_hour=Decimal("1"))
    clock.advance(hours=1)
    assert st.current(acc).remain == 750_000 and st.current(acc).used == 250_000
    assert st.current(key).remain == 500_000
    # a spend now folds the elapsed part in and keeps the rate running
    st.spend("r", account=acc.id, quota=50_000)
    assert (acc.quota, acc.used_quota) == (700_000, 300_000)
    clock.advance(hours=1)
    assert st.current(acc).remain == 450_000
    st.set_spend_rate("r", account=acc.id, per_hour=0)
    clock.advance(hours=10)
    assert st.current(acc).remain == 450_000


def test_money_is_never_float() -> None:
    st = SandboxState()
    st.add_site("sf", "siliconflow")
    with pytest.raises(TypeError):
        st.add_account("sf", granted=0.1)  # type: ignore[arg-type]


def test_bad_settings_are_refused() -> None:
    st = SandboxState()
    with pytest.raises(SandboxError):
        st.add_site("x", "openai")
    with pytest.raises(SandboxError):
        st.add_site("x", "newapi", auth_era="weird")
    st.add_site("x", "newapi")
    with pytest.raises(SandboxError):
        st.add_site("x", "newapi")
    with pytest.raises(SandboxError):
        st.set_fault("x", "explode")
    with pytest.raises(SandboxError):
        st.add_account("x", id="abc")


def test_replace_site_forgets_its_accounts() -> None:
    st = SandboxState()
    st.add_site("x", "newapi")
    st.add_account("x", quota=1)
    st.set_fault("x", "gone")
    st.add_site("x", "newapi", replace=True)
    assert st.list_accounts("x") == [] and st.faults == {}
    assert st.add_account("x", quota=2).id == "1"


def test_persistence_across_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    st = SandboxState(path=path)
    st.add_site("sf", "siliconflow")
    st.add_site("relay", "newapi", auth_era="header:X-Api-User", display="CNY", quota_per_unit=1000)
    sf = st.add_account("sf", granted="0.88", paid="88")
    acc = st.add_account("relay", quota=5000, used_quota=7)
    key = st.add_key("relay", remain=300, unlimited=True, expires_at=4102444800)
    st.set_spend_rate("relay", account=acc.id, per_hour="1")
    with SandboxServer(st) as srv:
        for _ in range(3):
            r = httpx.get(
                f"{srv.url}/relay/api/user/self",
                headers={"Authorization": acc.token, "X-Api-User": acc.id},
            )
            assert r.status_code == 200
    st.close()  # flushes request counters

    again = SandboxState(path=path)
    assert again.site("relay").display == "CNY" and again.site("relay").quota_per_unit == 1000
    assert again.site("relay").auth_era == "header:X-Api-User"
    a2 = again.account_by_token("relay", acc.token)
    assert a2 is not None and a2.request_count == 3 and a2.spend_rate == 1
    assert a2.rate_since is not None and a2.rate_since.tzinfo is not None
    assert again.current(again.account("sf", sf.id)).total == Decimal("88.88")
    k2 = again.key("relay", key.key)
    assert (k2.remain, k2.unlimited, k2.expires_at) == (300, True, 4102444800)
    assert again.add_account("relay").id == "2"  # ids continue
    with SandboxServer(again) as srv:
        r = httpx.get(f"{srv.url}/sf/v1/user/info", headers={"Authorization": f"Bearer {sf.token}"})
        assert r.json()["data"]["totalBalance"] == "88.88"
    again.close()


def test_bulk_and_lookup_speed() -> None:
    st = SandboxState()
    st.add_site("sf", "siliconflow")
    start = time.perf_counter()
    made = st.bulk_accounts("sf", 10_000, granted="1", paid="9")
    assert time.perf_counter() - start < 5
    assert len({a.token for a in made}) == 10_000
    start = time.perf_counter()
    for a in made:
        assert st.account_by_token("sf", a.token) is a
        st.bump(a)
    assert time.perf_counter() - start < 0.5
    assert st.flush() == 10_000 and st.flush() == 0
