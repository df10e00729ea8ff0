"""The demo scenario: sandbox sites and accounts across every documented dialect, and a config.

Used by `topup demo`, the end-to-end tests and the benchmarks, so all three run the same thing.
Sites (each under its own path prefix of one sandbox):

* ``siliconflow-com`` and ``siliconflow-cn``: SiliconFlow's two hosts (USD and CNY);
* ``siliconflow-legacy``: a SiliconFlow account whose endpoint answers 410 Gone;
* ``aihubmix``: AIHubMix (new-api, echoes the manage key in its answer, as the real one does);
* ``relay-x``: the relay of seed document 002 (user header ``X-Api-User``);
* ``relay-cny``: an older new-api site that displays CNY and lacks ``/api/usage/token/`` (keys fall
  back to the billing endpoints);
* ``relay-down``: a site that answers every request with an nginx 503 page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from topup.sandbox.state import SandboxState


@dataclass(frozen=True, slots=True)
class DemoAccount:
    name: str
    site: str
    provider: str
    fields: dict[str, str]
    note: str


def _token(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(12)}"


def populate(state: SandboxState, *, spend: bool = True) -> list[DemoAccount]:
    """Create the demo's sites and accounts in ``state``; return what the config needs."""
    accounts: list[DemoAccount] = []

    def add(name: str, site: str, provider: str, note: str, **fields: str) -> None:
        accounts.append(DemoAccount(name, site, provider, fields, note))

    state.add_site("siliconflow-com", "siliconflow", replace=True)
    key = _token("sk-sfcom")
    state.add_account("siliconflow-com", token=key, granted="0.88", paid="88.00")
    add("siliconflow", "siliconflow-com", "siliconflow", "international host, USD", api_key=key)

    state.add_site("siliconflow-cn", "siliconflow", replace=True)
    key = _token("sk-sfcn")
    state.add_account("siliconflow-cn", token=key, granted="14", paid="186.5")
    add(
        "siliconflow-cn",
        "siliconflow-cn",
        "siliconflow",
        "China host, CNY",
        api_key=key,
        currency="CNY",
    )

    state.add_site("siliconflow-legacy", "siliconflow", replace=True)
    key = _token("sk-sfold")
    state.add_account("siliconflow-legacy", token=key, granted="0", paid="12")
    state.set_fault("siliconflow-legacy", "gone")
    add("siliconflow-old", "siliconflow-legacy", "siliconflow", "endpoint retired", api_key=key)

    state.add_site("aihubmix", "newapi", auth_era="newapi", echo_access_token=True, replace=True)
    token = _token("ahm-")
    acc = state.add_account("aihubmix", token=token, quota=61_500_000, used_quota=38_500_000)
    add("aihubmix", "aihubmix", "aihubmix", "manage key", access_token=token, user_id=str(acc.id))

    state.add_site("relay-x", "newapi", auth_era="header:X-Api-User", replace=True)
    token = _token("tok-")
    relay = state.add_account("relay-x", token=token, quota=4_250_000, used_quota=1_750_000)
    add(
        "relay-x",
        "relay-x",
        "newapi",
        "relay of seed 002, X-Api-User",
        access_token=token,
        user_id=str(relay.id),
    )
    sk = _token("sk-relayx")
    state.add_key("relay-x", key=sk, remain=2_000_000, used=500_000)
    add("relay-x-key", "relay-x", "newapi", "an sk- key on the relay", api_key=sk)
    sk_unlimited = _token("sk-unlim")
    state.add_key("relay-x", key=sk_unlimited, unlimited=True, used=12_345_000)
    add("relay-x-unlimited", "relay-x", "newapi", "unlimited key", api_key=sk_unlimited)

    state.add_site(
        "relay-cny",
        "newapi",
        auth_era="newapi",
        display="CNY",
        usd_exchange_rate="7.2",
        token_usage=False,
        replace=True,
    )
    sk_cny = _token("sk-cny")
    state.add_key("relay-cny", key=sk_cny, remain=3_000_000, used=1_000_000)
    add("relay-cny-key", "relay-cny", "newapi", "CNY display, billing fallback", api_key=sk_cny)

    state.add_site("relay-down", "newapi", replace=True)
    token = _token("tok-")
    down = state.add_account("relay-down", token=token, quota=1_000_000)
    state.set_fault("relay-down", "html_503")
    add(
        "relay-down",
        "relay-down",
        "newapi",
        "a site that is down",
        access_token=token,
        user_id=str(down.id),
    )

    if spend:
        state.set_spend_rate("siliconflow-com", account=1, per_hour=Decimal("0.75"))
        state.set_spend_rate("siliconflow-cn", account=1, per_hour=Decimal("2.5"))
        state.set_spend_rate("aihubmix", account=acc.id, per_hour=Decimal("0.4"))
        state.set_spend_rate("relay-x", account=relay.id, per_hour=Decimal("0.2"))
        state.set_spend_rate("relay-x", key=sk, per_hour=Decimal("0.05"))
    return accounts


def config_text(base_url: str, accounts: list[DemoAccount], *, min_balance: str = "5") -> str:
    """A topup config for the demo accounts on a sandbox at ``base_url``."""
    lines = ["# topup demo config: every account lives on the local sandbox", ""]
    for account in accounts:
        lines += [
            "[[accounts]]",
            f'name = "{account.name}"',
            f'provider = "{account.provider}"',
            f'base_url = "{base_url}/{account.site}"',
            f"# {account.note}",
        ]
        for key, value in account.fields.items():
            lines.append(f'{key} = "{value}"')
        lines += [f'min_balance = "{min_balance}"', ""]
    return "\n".join(lines)


def write_config(directory: Path, base_url: str, accounts: list[DemoAccount]) -> Path:
    path = directory / "topup-demo.toml"
    path.write_text(config_text(base_url, accounts), encoding="utf-8")
    return path
