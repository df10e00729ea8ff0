"""xAI's demo account: a prepaid team ($25 of credit is "-2500" on the wire)."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("xai", "xai", replace=True)
    team = state.add_account("xai", token=token("xai-token-"), paid="25.00")
    return [
        account(
            state,
            "xai",
            "xai",
            "xai",
            team,
            "prepaid team: cents, sign inverted",
            spend_per_hour="0.2",
        )
    ]
