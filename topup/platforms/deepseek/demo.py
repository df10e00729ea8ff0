"""DeepSeek's demo accounts: a mixed account (a funded CNY row and an empty USD row, with
``currency = "CNY"`` so its flat fields show CNY) and a USD-only account."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("deepseek", "deepseek", replace=True)
    mixed = state.add_account(
        "deepseek",
        token=token("sk-dsmix"),
        cny_granted="10",
        cny_topped_up="238.40",
        usd_granted="0",
        usd_topped_up="0",
        billing="CNY",
    )
    usd = state.add_account(
        "deepseek", token=token("sk-dsusd"), usd_granted="2", usd_topped_up="18.75"
    )
    return [
        account(
            state,
            "deepseek-mixed",
            "deepseek",
            "deepseek",
            mixed,
            "CNY and USD rows (USD empty); currency = CNY picks the flat fields",
            spend_per_hour="1.2",
            currency="CNY",
        ),
        account(
            state,
            "deepseek-usd",
            "deepseek",
            "deepseek",
            usd,
            "USD-only account",
            spend_per_hour="0.15",
        ),
    ]
