"""AIHubMix's demo accounts: the manage key (the site echoes it back, as the real one does) and
an sk- key read through its own remain endpoint."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("aihubmix", "aihubmix", replace=True)
    acc = state.add_account(
        "aihubmix", token=token("ahm-"), quota=61_500_000, used_quota=38_500_000
    )
    key = state.add_key("aihubmix", key=token("sk-ahm"), remain=9_000_000, used=1_000_000)
    return [
        account(state, "aihubmix", "aihubmix", "aihubmix", acc, "manage key", spend_per_hour="0.4"),
        account(
            state,
            "aihubmix-key",
            "aihubmix",
            "aihubmix",
            key,
            "an sk- key: what remains of it",
            spend_per_hour="0.1",
        ),
    ]
