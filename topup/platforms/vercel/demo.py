"""Vercel AI Gateway's demo account: team credits that fall with use."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("vercel-gateway", "vercel", replace=True)
    team = state.add_account("vercel-gateway", token=token("vck_"), paid="95.50", used="4.50")
    return [
        account(
            state,
            "vercel",
            "vercel-gateway",
            "vercel",
            team,
            "AI Gateway team credits, USD",
            spend_per_hour="0.3",
        )
    ]
