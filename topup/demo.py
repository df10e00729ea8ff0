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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from topup.model import CheckResult, utcnow
from topup.sandbox.state import SandboxState
from topup.storage import Store


@dataclass(frozen=True, slots=True)
class DemoAccount:
    name: str
    site: str
    provider: str
    fields: dict[str, str]
    note: str
    #: Money per hour the sandbox spends from this account (0: none).
    spend_per_hour: Decimal = Decimal(0)


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

    if not spend:
        return accounts
    rates = {
        "siliconflow": ("siliconflow-com", {"account": 1}, Decimal("0.75")),
        "siliconflow-cn": ("siliconflow-cn", {"account": 1}, Decimal("2.5")),
        "aihubmix": ("aihubmix", {"account": acc.id}, Decimal("0.4")),
        "relay-x": ("relay-x", {"account": relay.id}, Decimal("0.2")),
        "relay-x-key": ("relay-x", {"key": sk}, Decimal("0.05")),
    }
    for site, target, per_hour in rates.values():
        state.set_spend_rate(site, per_hour=per_hour, **target)  # type: ignore[arg-type]
    return [replace(a, spend_per_hour=rates[a.name][2]) if a.name in rates else a for a in accounts]


def backfill(
    store: Store,
    results: list[CheckResult],
    accounts: list[DemoAccount],
    *,
    days: int = 7,
    now: datetime | None = None,
) -> int:
    """Write ``days`` of hourly history ending at each result, from the account's spend rate.

    Demo only: so that a fresh demo's dashboard has charts, spend per day and runway at once.
    One account gets a top-up three days ago, to show that top-ups are not negative spend.
    """
    now = now or utcnow()
    rates = {a.name: a.spend_per_hour for a in accounts}
    batch: list[tuple[CheckResult, str | None]] = []
    for result in results:
        if result.balance is None or not rates.get(result.account):
            continue
        rate = rates[result.account]
        for hours_ago in range(days * 24, 0, -1):
            balance = result.balance + rate * hours_ago
            if result.account == "relay-x" and hours_ago > 72:
                balance -= Decimal(10)  # before the top-up of 10
            batch.append(
                (
                    replace(
                        result,
                        balance=balance,
                        used=None
                        if result.used is None
                        else max(Decimal(0), result.used - rate * hours_ago),
                        checked_at=now - timedelta(hours=hours_ago),
                        duration=None,
                    ),
                    "demo-backfill",
                )
            )
    if batch:
        store.record(batch)
    return len(batch)


def config_text(
    base_url: str,
    accounts: list[DemoAccount],
    *,
    min_balance: str = "5",
    storage_url: str | None = None,
) -> str:
    """A topup config for the demo accounts on a sandbox at ``base_url``."""
    lines = ["# topup demo config: every account lives on the local sandbox", ""]
    if storage_url:
        lines += ["[storage]", f'url = "{storage_url}"', ""]
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


def write_config(
    directory: Path, base_url: str, accounts: list[DemoAccount], *, storage_url: str | None = None
) -> Path:
    path = directory / "topup-demo.toml"
    path.write_text(config_text(base_url, accounts, storage_url=storage_url), encoding="utf-8")
    return path
