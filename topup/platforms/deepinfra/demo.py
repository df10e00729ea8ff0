"""DeepInfra's demo account: prepaid credit with some usage not yet invoiced."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("deepinfra", "deepinfra", replace=True)
    acc = state.add_account(
        "deepinfra", token=token("di-"), credit="25.00", recent="3.42", limit="100"
    )
    return [
        account(
            state,
            "deepinfra",
            "deepinfra",
            "deepinfra",
            acc,
            "prepaid credit minus unbilled usage, USD",
            spend_per_hour="0.08",
        ),
    ]
