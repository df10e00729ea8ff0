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
from typing import Any

from topup.platforms.siliconflow import answers
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Money, RequestCount, SecretText, Status
from topup.sandbox.prepaid import SpendIn, gift_first
from topup.sandbox.records import Record, Site, money
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import ConvertingImitation

UNITS = 10_000  # SiliconFlow amounts move in 0.0001 steps


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
        self.granted, self.paid = gift_first(amount, self.granted, self.paid)


class AccountIn(AdminIn):
    token: SecretText | None = None
    granted: Money = Decimal(0)
    paid: Money = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class BalanceIn(AdminIn):
    balance: Money | None = None
    granted: Money | None = None
    paid: Money | None = None


class BulkIn(AdminIn):
    granted: Money = Decimal(0)
    paid: Money = Decimal(0)


class SiliconFlowImitation(ConvertingImitation):
    dialect = "siliconflow"
    title = "SiliconFlow"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = SiliconFlowUser
    key_length = 48
    key_alphabet = string.ascii_lowercase
    units = UNITS
    converters = (("granted", "granted", money), ("paid", "paid", money))
    amounts = ("granted", "paid", "total")
    route_table = answers.ROUTES

    def balance_values(self, f: Mapping[str, Any]) -> dict[str, Any]:
        values = super().balance_values(f)
        balance = money(f["balance"], "balance") if f.get("balance") is not None else None
        if balance is not None and not values:  # a balance alone: all of it paid
            values = {"granted": Decimal(0), "paid": balance}
        return values

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, SiliconFlowUser)
        record.spend_money(spend)

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
