"""Novita's demo account: cash plus a credit line, in 1/10000 USD."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("novita", "novita", replace=True)
    user = state.add_account("novita", token=token("sk_nov"), cash="42.5", credit_limit="20")
    return [
        account(
            state,
            "novita",
            "novita",
            "novita",
            user,
            "USD in 1/10000 units; the balance includes a 20 USD credit line",
            spend_per_hour="0.35",
        )
    ]
