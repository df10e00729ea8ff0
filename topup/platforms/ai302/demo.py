"""302.AI's demo account: a USD balance that falls with use."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("302ai", "302ai", replace=True)
    acc = state.add_account("302ai", token=token("sk-"), paid="12.34")
    return [account(state, "302ai", "302ai", "302ai", acc, "USD balance", spend_per_hour="0.05")]
