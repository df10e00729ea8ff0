"""OhMyGPT's demo account: a balance in OhMyGPT's undocumented unit, so no currency."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("ohmygpt", "ohmygpt", replace=True)
    user = state.add_account(
        "ohmygpt", token=token("sk-omg"), balance="821700.00", free_balance="5000.00"
    )
    return [
        account(
            state,
            "ohmygpt",
            "ohmygpt",
            "ohmygpt",
            user,
            "unit not documented: shown without a currency",
            spend_per_hour="2000",
        ),
    ]
