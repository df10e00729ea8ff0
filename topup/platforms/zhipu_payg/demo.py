"""Zhipu's demo account: a pay-as-you-go CNY balance with a gift and some money frozen."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("zhipu-payg", "zhipu-payg", replace=True)
    acc = state.add_account(
        "zhipu-payg",
        token=token("zp-") + ".demo",
        recharge="200",
        give="20",
        spent="57.35",
        frozen="1.5",
    )
    return [
        account(
            state,
            "zhipu-payg",
            "zhipu-payg",
            "zhipu-payg",
            acc,
            "pay-as-you-go balance, CNY",
            spend_per_hour="1.2",
        ),
    ]
