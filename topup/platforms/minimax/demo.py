"""MiniMax's demo account: a coding plan answering in percentages, 5h and weekly partly used."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("minimax", "minimax", replace=True)
    plan = state.add_account(
        "minimax",
        token=token("sk-cp-"),
        limit_5h=1500,
        used_5h=420,
        limit_weekly=15000,
        used_weekly=5200,
    )
    return [
        account(
            state,
            "minimax",
            "minimax",
            "minimax",
            plan,
            "coding plan: percentages only since 2026-06",
            spend_per_hour="25",
        )
    ]
