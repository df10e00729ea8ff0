r"""The demo scenario: every platform's demo accounts on one sandbox, and a config for them.

Used by `topup demo`, the end-to-end tests and the benchmarks, so all three run the same thing.
Each platform declares its own demo sites and accounts in its folder's ``demo.py`` (a
``populate(state)`` function returning :class:`DemoAccount`\ s): each site under its own path
prefix of one sandbox, including, on purpose, a site that is down and an endpoint that is
retired, so the demo shows what failures look like.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from topup.model import CheckResult, utcnow
from topup.platforms import all_providers
from topup.platforms.base import sibling
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
    #: A top-up of this much three days ago, in the simulated history (0: none).
    topped_up: Decimal = Decimal(0)
    #: The sandbox record behind it: ``{"account": id}`` or ``{"key": key}``.
    target: dict[str, str] | None = None
    #: The status its check ends in (a failure shown on purpose says so).
    expect: str = "ok"


def token(prefix: str) -> str:
    """A fresh demo credential that says what it is."""
    return f"{prefix}{secrets.token_hex(12)}"


def account(
    state: SandboxState,
    name: str,
    site: str,
    provider: str,
    record: Any,
    note: str,
    *,
    spend_per_hour: str | int = 0,
    topped_up: str | int = 0,
    expect: str = "ok",
    **settings: str,
) -> DemoAccount:
    """A demo account for a sandbox ``record``: its credentials as the platform's imitation
    says a topup account presents them, plus any account ``settings`` (e.g. ``currency``)."""
    fields = state.imitation(site).account_config(state.site(site), record)
    return DemoAccount(
        name=name,
        site=site,
        provider=provider,
        fields={**fields, **settings},
        note=note,
        spend_per_hour=Decimal(spend_per_hour),
        topped_up=Decimal(topped_up),
        target={record.kind: record.ident},
        expect=expect,
    )


def populate(state: SandboxState, *, spend: bool = True) -> list[DemoAccount]:
    """Create every platform's demo sites and accounts in ``state``; return what the config
    needs. With ``spend``, balances fall at each demo account's spend rate."""
    accounts: list[DemoAccount] = []
    for provider in all_providers().values():
        make: Callable[[SandboxState], list[DemoAccount]] | None = sibling(
            provider, "demo", "populate"
        )
        if make is not None:
            accounts += make(state)
    if not spend:
        return [replace(a, spend_per_hour=Decimal(0)) for a in accounts]
    for a in accounts:
        if a.spend_per_hour and a.target:
            state.set_spend_rate(a.site, per_hour=a.spend_per_hour, **a.target)
    return accounts


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
    Accounts with ``topped_up`` were topped up three days ago, to show that top-ups are not
    negative spend.
    """
    now = now or utcnow()
    rates = {a.name: a.spend_per_hour for a in accounts}
    top_ups = {a.name: a.topped_up for a in accounts}
    batch: list[tuple[CheckResult, str | None]] = []
    for result in results:
        if result.balance is None or not rates.get(result.account):
            continue
        rate = rates[result.account]
        for hours_ago in range(days * 24, 0, -1):
            spent = rate * hours_ago  # spent since then: the balance was that much higher
            added = top_ups.get(result.account, Decimal(0)) if hours_ago > 72 else Decimal(0)
            point = earlier(result, spent=spent, added=added)
            batch.append(
                (
                    replace(point, checked_at=now - timedelta(hours=hours_ago), duration=None),
                    "demo-backfill",
                )
            )
    if batch:
        store.record(batch)
    return len(batch)


def earlier(result: CheckResult, *, spent: Decimal, added: Decimal) -> CheckResult:
    """``result`` as it was before ``spent`` was spent and ``added`` was topped up.

    The flat amounts and their entry in ``balances`` move together (they are one currency's);
    a top-up and the spending are paid money, so ``paid`` moves with the balance (unknown
    when that would make it negative); ``used`` is what was used then, unknown (None, never
    zero) when the simulated spending is more than the platform says was ever used.
    """
    delta = spent - added
    paid = None if result.paid is None or result.paid + delta < 0 else result.paid + delta
    balance = None if result.balance is None else result.balance + delta
    used = None if result.used is None or result.used <= spent else result.used - spent
    shown = result.currency.upper() if result.currency else None
    balances = tuple(
        replace(e, balance=balance, paid=paid) if e.currency == shown else e
        for e in result.balances
    )
    return replace(result, balance=balance, paid=paid, used=used, balances=balances)


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
