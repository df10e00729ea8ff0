"""SiliconFlow in the sandbox: accounts with a granted (gift) and a paid (charged) amount.

Amounts are money in the site's currency and move in 0.0001 steps; spending takes the granted
part first, then the paid part, which may go negative. Sites have no settings: which currency
a host means is the client's rule (``.cn`` is CNY), not the server's.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from topup.platforms.siliconflow import answers
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Imitation, Route
from topup.sandbox.records import (
    ENABLED,
    MAX_MONEY,
    MAX_QUOTA,
    Record,
    SandboxError,
    Site,
    money,
    random_token,
)
from topup.sandbox.replies import Reply, json_reply

UNITS = 10_000  # SiliconFlow amounts move in 0.0001 steps
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]


@dataclass(slots=True)
class SiliconFlowUser(Record):
    """A SiliconFlow account: granted and paid money."""

    granted: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.granted + self.paid

    def take(self, units: int) -> None:
        self.spend_money(Decimal(units).scaleb(-4))

    def spend_money(self, amount: Decimal) -> None:
        """Spend the granted (gift) part first, then the paid part (which may go negative)."""
        if amount <= 0:
            return
        from_granted = min(amount, max(self.granted, Decimal(0)))
        self.granted -= from_granted
        self.paid -= amount - from_granted


class AccountIn(AdminIn):
    token: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    granted: Money = Decimal(0)
    paid: Money = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)


class BalanceIn(AdminIn):
    balance: Money | None = None
    granted: Money | None = None
    paid: Money | None = None


class SpendIn(AdminIn):
    amount: Money


class BulkIn(AdminIn):
    granted: Money = Decimal(0)
    paid: Money = Decimal(0)


def _fields(fields: Mapping[str, Any], model: type[AdminIn], what: str) -> dict[str, Any]:
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise SandboxError(f"unknown {what} fields: {', '.join(sorted(unknown))}")
    return dict(fields)


class SiliconFlowImitation(Imitation):
    dialect = "siliconflow"
    title = "SiliconFlow"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = SiliconFlowUser

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"SiliconFlow sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> SiliconFlowUser:
        f = _fields(fields, AccountIn, "account")
        token = f.get("token") or "sk-" + random_token(48, string.ascii_lowercase)
        return SiliconFlowUser(
            site=site.name,
            id=ident,
            token=token,
            status=f.get("status", ENABLED),
            request_count=f.get("request_count", 0),
            granted=money(f.get("granted", 0), "granted"),
            paid=money(f.get("paid", 0), "paid"),
        )

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"granted": fields.get("granted", 0), "paid": fields.get("paid", 0)}, {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return UNITS

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = _fields(fields, BalanceIn, "balance")
        assert isinstance(record, SiliconFlowUser)
        granted = money(f["granted"], "granted") if f.get("granted") is not None else None
        paid = money(f["paid"], "paid") if f.get("paid") is not None else None
        balance = money(f["balance"], "balance") if f.get("balance") is not None else None
        if granted is not None:
            record.granted = granted
        if paid is not None:
            record.paid = paid
        if balance is not None and granted is None and paid is None:
            record.granted, record.paid = Decimal(0), balance

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        f = _fields(fields, SpendIn, "spend")
        if f.get("amount") is None:
            raise SandboxError("SiliconFlow spends take an amount")
        return money(f["amount"])

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, SiliconFlowUser)
        record.spend_money(spend)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, SiliconFlowUser)
        return {
            "granted": str(record.granted),
            "paid": str(record.paid),
            "total": str(record.total),
        }

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}

    def routes(self) -> tuple[Route, ...]:
        return answers.ROUTES

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            headers = {"Retry-After": str(fault.retry_after)}
            return json_reply(429, fault.message or "Too Many Requests", headers)
        if fault.kind is FaultKind.GATEWAY_TIMEOUT:
            return json_reply(504, fault.message or "Gateway Timeout")
        if fault.kind is FaultKind.SUCCESS_FALSE:
            body = {"code": 50000, "message": fault.message or "System error", "status": False}
            return json_reply(200, {**body, "data": None})
        return None


IMITATION = SiliconFlowImitation()
