"""SiliconFlow's demo accounts: both hosts (USD and CNY) and one whose endpoint is retired."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("siliconflow-com", "siliconflow", replace=True)
    com = state.add_account(
        "siliconflow-com", token=token("sk-sfcom"), granted="0.88", paid="88.00"
    )
    state.add_site("siliconflow-cn", "siliconflow", replace=True)
    cn = state.add_account("siliconflow-cn", token=token("sk-sfcn"), granted="14", paid="186.5")
    state.add_site("siliconflow-legacy", "siliconflow", replace=True)
    old = state.add_account("siliconflow-legacy", token=token("sk-sfold"), granted="0", paid="12")
    state.set_fault("siliconflow-legacy", "gone")
    return [
        account(
            state,
            "siliconflow",
            "siliconflow-com",
            "siliconflow",
            com,
            "international host, USD",
            spend_per_hour="0.75",
        ),
        account(
            state,
            "siliconflow-cn",
            "siliconflow-cn",
            "siliconflow",
            cn,
            "China host, CNY",
            spend_per_hour="2.5",
            currency="CNY",
        ),
        account(
            state,
            "siliconflow-old",
            "siliconflow-legacy",
            "siliconflow",
            old,
            "endpoint retired",
            expect="endpoint_retired",
        ),
    ]
