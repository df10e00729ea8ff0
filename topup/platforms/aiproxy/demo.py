"""AIProxy's demo account: a point balance read with the Api-Key header."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("aiproxy", "aiproxy", replace=True)
    user = state.add_account("aiproxy", token=token("ap-"), points="48250.50")
    return [
        account(state, "aiproxy", "aiproxy", "aiproxy", user, "points", spend_per_hour="120"),
    ]
