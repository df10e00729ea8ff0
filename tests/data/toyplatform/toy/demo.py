from __future__ import annotations

from topup.demo import DemoAccount, account
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("toy", "toy", replace=True)
    user = state.add_account("toy", left="12.5")
    return [account(state, "toy", "toy", "toy", user, "a toy account", spend_per_hour="1")]
