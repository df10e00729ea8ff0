"""Poe's demo account: a point balance that falls as it is used."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("poe", "poe", replace=True)
    user = state.add_account("poe", token=token("poe-"), points=1_250_000)
    return [
        account(state, "poe", "poe", "poe", user, "point balance", spend_per_hour="1500"),
    ]
