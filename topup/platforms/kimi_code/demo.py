"""Kimi Code's demo account: a coding plan with its 5h and weekly windows partly used."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("kimi-code", "kimi-code", replace=True)
    plan = state.add_account(
        "kimi-code",
        token=token("sk-kimi-"),
        limit_5h=100,
        used_5h=37,
        limit_weekly=1000,
        used_weekly=412,
    )
    return [
        account(
            state,
            "kimi-code",
            "kimi-code",
            "kimi-code",
            plan,
            "coding plan: 5h and weekly request windows",
            spend_per_hour="4",
        )
    ]
