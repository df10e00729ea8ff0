"""Spend rates: exact integer maths, no drift from admin calls, no rise on clock steps."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from pathlib import Path

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.state import SandboxState

from .helpers import Clock


def test_spend_rate_is_exact_for_both_dialects() -> None:
    wrong: list[tuple[str, int]] = []
    for rate in ["3", "7", "0.3", "1.7", "9", "0.0001"]:
        for minutes in range(1, 121):
            clock = Clock()
            st = SandboxState(clock=clock)
            st.add_site("sf", "siliconflow")
            st.add_site("r", "newapi")
            acc = st.add_account("sf", paid="100")
            key = st.add_key("r", remain=10**9)
            st.set_spend_rate("sf", account=acc.id, per_hour=rate)
            st.set_spend_rate("r", key=key.key, per_hour=rate)
            clock.advance(minutes=minutes)
            spent = (Decimal(rate) * minutes / 60).quantize(Decimal("0.0001"), ROUND_DOWN)
            if st.current(acc).total != Decimal(100) - spent:
                wrong.append((rate, minutes))
            if st.current(key).remain != 10**9 - int(Fraction(rate) * 500000 * minutes / 60):
                wrong.append((rate, minutes))
    assert wrong == []


def test_many_admin_calls_cause_no_spend_rate_drift(tmp_path: Path) -> None:
    clock = Clock()
    st = SandboxState(path=tmp_path / "s.db", clock=clock)
    st.add_site("sf", "siliconflow")
    st.add_site("r", "newapi")
    touched = st.add_account("sf", paid="10")
    untouched = st.add_account("sf", paid="10")
    key = st.add_key("r", remain=1_000_000)
    for a in (touched, untouched):
        st.set_spend_rate("sf", account=a.id, per_hour="0.01")
    st.set_spend_rate("r", key=key.key, per_hour="0.001")  # 500 quota an hour
    for _ in range(120):  # an hour of admin calls every 30 s, each worth < one unit
        clock.advance(seconds=30)
        st.spend("sf", account=touched.id, amount="0")
        st.spend("r", key=key.key, quota=0)
        st.set_spend_rate("sf", account=touched.id, per_hour="0.01")  # same rate: no restart
    assert st.current(touched).total == Decimal("9.99") == st.current(untouched).total
    assert st.current(key).remain == 1_000_000 - 500
    st.close()
    again = SandboxState(path=tmp_path / "s.db", clock=clock)  # the running total persists
    clock.advance(hours=1)
    assert again.current(again.account("sf", touched.id)).total == Decimal("9.98")
    assert again.current(again.key("r", key.key)).remain == 1_000_000 - 1000


def test_a_backwards_clock_step_never_raises_a_balance() -> None:
    clock = Clock()
    st = SandboxState(clock=clock)
    st.add_site("sf", "siliconflow")
    acc = st.add_account("sf", paid="10")
    st.set_spend_rate("sf", account=acc.id, per_hour="1")
    clock.advance(hours=3)
    assert st.current(acc).total == 7
    clock.advance(hours=-4)
    assert st.current(acc).total == 7
    st.spend("sf", account=acc.id, amount="0")
    clock.advance(hours=4)
    assert st.current(acc).total == 7
    clock.advance(hours=1)
    assert st.current(acc).total == 6
