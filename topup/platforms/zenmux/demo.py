"""ZenMux's demo account: Pay-As-You-Go credits, mostly bonus (spent first)."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("zenmux", "zenmux", replace=True)
    payg = state.add_account("zenmux", token=token("sk-mg-v1-"), paid="35.00", granted="447.74")
    return [
        account(
            state,
            "zenmux",
            "zenmux",
            "zenmux",
            payg,
            "PAYG: top-up + bonus credits, USD",
            spend_per_hour="0.6",
        )
    ]
