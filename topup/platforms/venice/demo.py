"""Venice's demo account: DIEM (staked, spent first, shown flat) and USD in one account."""

from __future__ import annotations

from topup.demo import DemoAccount, account
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("venice", "venice", replace=True)
    acc = state.add_account("venice", usd="25", diem="90.5", diem_allocation="100")
    return [
        account(
            state,
            "venice",
            "venice",
            "venice",
            acc,
            "USD and DIEM balances; DIEM is spent first and shown flat",
            spend_per_hour="0.5",
            currency="DIEM",
        )
    ]
