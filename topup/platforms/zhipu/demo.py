"""Zhipu's demo account: a GLM Coding Plan with its 5h and weekly windows partly used."""

from __future__ import annotations

from topup.demo import DemoAccount, account
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("zhipu", "zhipu", replace=True)
    plan = state.add_account(
        "zhipu", limit_5h=2000, used_5h=640, limit_weekly=10000, used_weekly=3100
    )
    return [
        account(
            state,
            "zhipu",
            "zhipu",
            "zhipu",
            plan,
            "GLM Coding Plan: 5h, weekly and MCP windows",
            spend_per_hour="30",
        )
    ]
