"""OpenRouter in the sandbox: accounts (a management key: credits bought, usage) and ordinary
keys (a limit that resets daily, weekly, monthly or never; lifetime and per-window usage).

Amounts are USD and move in 0.000001 steps. A spend adds to an account's usage, or to all of a
key's usage counters (the sandbox's windows never roll over: set them with the balance API).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from topup.platforms.openrouter import answers
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import (
    AdminIn,
    Money,
    NonNegative,
    NoSettingsImitation,
    RequestCount,
    SecretText,
    Status,
)
from topup.sandbox.prepaid import validated
from topup.sandbox.records import (
    Record,
    SandboxError,
    Site,
    money,
    random_token,
)
from topup.sandbox.replies import Reply

STEP = 6  # amounts move in 10**-6 USD
Usage = NonNegative
Period = Literal["daily", "weekly", "monthly"]
WINDOWS = ("usage_daily", "usage_weekly", "usage_monthly")


def new_key_text() -> str:
    return "sk-or-v1-" + random_token(64, "0123456789abcdef")


@dataclass(slots=True)
class OpenRouterAccount(Record):
    """An account, reached with a management key: credits bought and usage so far."""

    credits: Decimal = Decimal(0)
    usage: Decimal = Decimal(0)

    def take(self, units: int) -> None:
        self.usage += Decimal(units).scaleb(-STEP)


@dataclass(slots=True)
class OpenRouterKey(Record):
    """An ordinary key (its ``id`` and ``token`` are the key itself) with its own limit."""

    kind = "key"

    label: str = ""
    limit: Decimal | None = None
    limit_reset: str | None = None
    usage: Decimal = Decimal(0)
    usage_daily: Decimal = Decimal(0)
    usage_weekly: Decimal = Decimal(0)
    usage_monthly: Decimal = Decimal(0)
    is_free_tier: bool = False

    @property
    def key(self) -> str:
        return self.token

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.token, **Record.to_dict(self)}

    @property
    def window_usage(self) -> Decimal:
        return (
            self.usage if self.limit_reset is None else getattr(self, f"usage_{self.limit_reset}")
        )

    @property
    def limit_remaining(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.window_usage

    def take(self, units: int) -> None:
        amount = Decimal(units).scaleb(-STEP)
        for name in ("usage", *WINDOWS):
            setattr(self, name, getattr(self, name) + amount)


class AccountIn(AdminIn):
    token: SecretText | None = None
    credits: Money = Decimal(0)
    usage: Usage = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class KeyIn(AdminIn):
    key: SecretText | None = None
    label: Annotated[str, Field(max_length=200)] | None = None
    limit: Usage | None = None
    limit_reset: Period | None = None
    usage: Usage = Decimal(0)
    usage_daily: Usage = Decimal(0)
    usage_weekly: Usage = Decimal(0)
    usage_monthly: Usage = Decimal(0)
    is_free_tier: bool = False
    status: Status = 1


class BalanceIn(AdminIn):
    credits: Money | None = None
    usage: Usage | None = None
    limit: Usage | None = None
    usage_daily: Usage | None = None
    usage_weekly: Usage | None = None
    usage_monthly: Usage | None = None


class SpendIn(AdminIn):
    amount: Usage


class BulkIn(AdminIn):
    credits: Money = Decimal(0)
    limit: Usage | None = None


class OpenRouterImitation(NoSettingsImitation):
    dialect = "openrouter"
    title = "OpenRouter"
    account_model = AccountIn
    key_model = KeyIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = OpenRouterAccount
    key_type = OpenRouterKey
    units = int(10**STEP)
    route_table = answers.ROUTES

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> OpenRouterAccount:
        f = validated(AccountIn, fields, "account")
        token = f.pop("token", None) or new_key_text()
        return OpenRouterAccount(site=site.name, id=ident, token=token, **f)

    def new_key(self, state: Any, site: Site, fields: Any, ordinal: int) -> OpenRouterKey:
        f = validated(KeyIn, fields, "key")
        key = f.pop("key", None) or new_key_text()
        label = f.pop("label", None) or f"{key[:12]}...{key[-3:]}"
        return OpenRouterKey(site=site.name, id=key, token=key, label=label, **f)

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"credits": fields.get("credits", 0)}, {"limit": fields.get("limit")}

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = {k: v for k, v in validated(BalanceIn, fields, "balance").items() if v is not None}
        wrong = set(f) - (
            {"credits", "usage"}
            if isinstance(record, OpenRouterAccount)
            else set(KeyIn.model_fields)
        )
        if wrong:
            raise SandboxError(f"not amounts of this record: {', '.join(sorted(wrong))}")
        for name, value in f.items():
            setattr(record, name, value)

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> int:
        amount = money(validated(SpendIn, fields, "spend")["amount"])
        return int(amount.scaleb(STEP))

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        record.take(spend)

    def current(self, record: Record) -> dict[str, Any]:
        if isinstance(record, OpenRouterKey):
            remaining = record.limit_remaining
            return {
                "limit": None if record.limit is None else str(record.limit),
                "limit_reset": record.limit_reset,
                "limit_remaining": None if remaining is None else str(remaining),
                **{name: str(getattr(record, name)) for name in ("usage", *WINDOWS)},
            }
        assert isinstance(record, OpenRouterAccount)
        return {"credits": str(record.credits), "usage": str(record.usage)}

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            reply = answers.error(429, fault.message or "Rate limit exceeded")
            reply.headers["Retry-After"] = str(fault.retry_after)
            return reply
        if fault.kind is FaultKind.SUCCESS_FALSE:
            return answers.error(500, fault.message or "Internal Server Error", status=200)
        return None


IMITATION = OpenRouterImitation()
