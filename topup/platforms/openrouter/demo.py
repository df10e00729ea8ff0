"""OpenRouter's demo accounts: a management key (the account's credits) and an ordinary key
with a monthly limit whose lifetime usage is far above this month's (454.54 left, where the
naive limit - usage would say 66.71)."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("openrouter", "openrouter", replace=True)
    mgmt = state.add_account(
        "openrouter", token=token("sk-or-v1-mgmt"), credits="150", usage="37.25"
    )
    key = state.add_key(
        "openrouter",
        key=token("sk-or-v1-"),
        limit="500",
        limit_reset="monthly",
        usage="433.29",
        usage_daily="1.5",
        usage_weekly="12.25",
        usage_monthly="45.46",
    )
    return [
        account(
            state,
            "openrouter",
            "openrouter",
            "openrouter",
            mgmt,
            "management key: credits - usage, USD",
            spend_per_hour="0.4",
        ),
        account(
            state,
            "openrouter-key",
            "openrouter",
            "openrouter",
            key,
            "key with a monthly limit: limit_remaining, not limit - lifetime usage",
            spend_per_hour="0.1",
        ),
    ]
