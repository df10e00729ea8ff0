"""A ready-made set of sites, accounts and keys for demos (``topup sandbox --seed-demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from topup.sandbox.state import SandboxState


@dataclass(frozen=True, slots=True)
class DemoCredential:
    site: str
    kind: str  # "api_key" (SiliconFlow), "access_token" (+ user id), "sk_key"
    secret: str
    user_id: str | None = None


def seed_demo(state: SandboxState) -> list[DemoCredential]:
    """Create the demo sites (skipping ones that exist) and return their credentials."""
    out: list[DemoCredential] = []
    if "siliconflow-cn" not in state.sites:
        state.add_site("siliconflow-cn", "siliconflow")
        acc = state.add_account("siliconflow-cn", granted="14.00", paid="88.00")
        state.set_spend_rate("siliconflow-cn", account=acc.id, per_hour="0.75")
        state.add_account("siliconflow-cn", granted="0", paid="-0.01")
    if "siliconflow" not in state.sites:
        state.add_site("siliconflow", "siliconflow")
        state.add_account("siliconflow", granted="1.00", paid="5.20")
    if "aihubmix" not in state.sites:
        state.add_site("aihubmix", "newapi", auth_era="newest", echo_access_token=True)
        acc = state.add_account("aihubmix", balance="25", used_quota=2_500_000)
        state.set_spend_rate("aihubmix", account=acc.id, per_hour="0.20")
    if "relay-x" not in state.sites:
        state.add_site("relay-x", "newapi", auth_era="header:X-Api-User", display="CNY")
        state.add_account("relay-x", balance="3.5", used_quota=800_000)
        state.add_key("relay-x", balance="10", used=1_000_000)
        state.add_key("relay-x", remain=0, used=500_000)
        state.add_key("relay-x", remain=0, unlimited=True)
    if "oneapi-old" not in state.sites:
        state.add_site("oneapi-old", "newapi", auth_era="oneapi")
        state.add_account("oneapi-old", quota=50_000_000)
        state.add_key("oneapi-old", balance="2")
    for acc in state.list_accounts():
        site = state.sites[acc.site]
        kind = "api_key" if site.dialect == "siliconflow" else "access_token"
        out.append(DemoCredential(acc.site, kind, acc.token, acc.id))
    out.extend(DemoCredential(k.site, "sk_key", k.key) for k in state.list_keys())
    return out
