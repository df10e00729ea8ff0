"""new-api relays in the demo: the relay of seed document 002 (``X-Api-User``) with an account,
an ``sk-`` key and an unlimited key; an older CNY site whose keys fall back to the billing
endpoints; a site whose keys are read from ``/v1/credits``; and a site that is down (nginx 503)."""

from __future__ import annotations

from topup.demo import DemoAccount, account, token
from topup.sandbox.state import SandboxState


def populate(state: SandboxState) -> list[DemoAccount]:
    state.add_site("relay-x", "newapi", auth_era="header:X-Api-User", replace=True)
    relay = state.add_account("relay-x", token=token("tok-"), quota=4_250_000, used_quota=1_750_000)
    key = state.add_key("relay-x", key=token("sk-relayx"), remain=2_000_000, used=500_000)
    unlimited = state.add_key("relay-x", key=token("sk-unlim"), unlimited=True, used=12_345_000)
    state.add_site(
        "relay-cny",
        "newapi",
        auth_era="newapi",
        display="CNY",
        usd_exchange_rate="7.2",
        token_usage=False,
        replace=True,
    )
    cny = state.add_key("relay-cny", key=token("sk-cny"), remain=3_000_000, used=1_000_000)
    state.add_site(
        "relay-credits", "newapi", token_usage=False, billing=False, credits=True, replace=True
    )
    credits = state.add_key("relay-credits", key=token("sk-cred"), remain=6_000_000)
    state.add_site("relay-down", "newapi", replace=True)
    down = state.add_account("relay-down", token=token("tok-"), quota=1_000_000)
    state.set_fault("relay-down", "html_503")
    return [
        account(
            state,
            "relay-x",
            "relay-x",
            "newapi",
            relay,
            "relay of seed 002, X-Api-User",
            spend_per_hour="0.2",
            topped_up=10,
        ),
        account(
            state,
            "relay-x-key",
            "relay-x",
            "newapi",
            key,
            "an sk- key on the relay",
            spend_per_hour="0.05",
        ),
        account(state, "relay-x-unlimited", "relay-x", "newapi", unlimited, "unlimited key"),
        account(
            state, "relay-cny-key", "relay-cny", "newapi", cny, "CNY display, billing fallback"
        ),
        account(
            state,
            "relay-credits-key",
            "relay-credits",
            "newapi",
            credits,
            "only /v1/credits for keys (total_usage is what remains)",
            spend_per_hour="0.03",
        ),
        account(
            state,
            "relay-down",
            "relay-down",
            "newapi",
            down,
            "a site that is down",
            expect="unavailable",
        ),
    ]
