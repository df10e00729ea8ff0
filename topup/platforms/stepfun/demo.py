"""StepFun's demo account: a prepaid api.stepfun.com-style account (CNY)."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("stepfun", "stepfun", replace=True)
    acc = state.add_account(
        "stepfun",
        token=token("step-"),
        balance="86.40",
        total_cash_balance="100",
        total_voucher_balance="20",
    )
    return [
        account(
            state,
            "stepfun",
            "stepfun",
            "stepfun",
            acc,
            "prepaid, CNY; lifetime top-ups and grants are not the balance's parts",
            spend_per_hour="0.6",
            topped_up=50,
        )
    ]
