"""PPIO's demo account: a CNY balance counted in 1/10000 CNY."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("ppio", "ppio", replace=True)
    user = state.add_account("ppio", token=token("sk_ppio"), balance="58.20")
    return [
        account(
            state,
            "ppio",
            "ppio",
            "ppio",
            user,
            "credit_balance in 1/10000 CNY",
            spend_per_hour="0.4",
        )
    ]
