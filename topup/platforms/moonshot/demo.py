"""Moonshot's demo account: a ``.cn``-style account (CNY) with vouchers and cash."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("moonshot-cn", "moonshot", replace=True)
    user = state.add_account(
        "moonshot-cn", token=token("sk-kimi"), voucher="46.58893", cash="103.00001"
    )
    return [
        account(
            state,
            "moonshot",
            "moonshot-cn",
            "moonshot",
            user,
            "api.moonshot.cn-style account: CNY, vouchers spent first",
            spend_per_hour="0.9",
            currency="CNY",
        )
    ]
