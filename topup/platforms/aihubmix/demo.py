"""AIHubMix's demo account: the manage key (the site echoes it back, as the real one does)."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("aihubmix", "aihubmix", replace=True)
    acc = state.add_account(
        "aihubmix", token=token("ahm-"), quota=61_500_000, used_quota=38_500_000
    )
    return [
        account(state, "aihubmix", "aihubmix", "aihubmix", acc, "manage key", spend_per_hour="0.4")
    ]
