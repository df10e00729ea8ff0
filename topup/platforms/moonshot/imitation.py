"""Moonshot AI (Kimi) in the sandbox: ``GET /v1/users/me/balance`` as documented.

An account holds a voucher part (never negative) and a cash part (negative: arrears). Spending
takes the vouchers first, then cash, which may go negative. ``available_balance`` follows the
docs' rule: the vouchers when cash is negative, else vouchers + cash. Amounts move in 0.00001
steps and are written as JSON numbers (``49.58894``). Sites have no settings: which currency a
host means is the client's rule (``.ai`` is USD), not the server's. A disabled account is
refused like an unknown key (HTTP 401 ``invalid_authentication_error``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import (
    AdminIn,
    Answer,
    Money,
    NonNegative,
    RequestCount,
    Route,
    SecretText,
    Status,
    bearer_answer,
)
from topup.sandbox.openapi import faulty
from topup.sandbox.prepaid import SpendIn, gift_first
from topup.sandbox.records import Record, Site, money
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import ConvertingImitation, not_negative

UNITS = 100_000  # amounts move in 0.00001 steps


@dataclass(slots=True)
class MoonshotUser(Record):
    """A Moonshot account: vouchers and cash."""

    voucher: Decimal = Decimal(0)
    cash: Decimal = Decimal(0)

    @property
    def available(self) -> Decimal:
        """The docs' rule: when cash is negative, available = voucher."""
        return self.voucher if self.cash < 0 else self.voucher + self.cash

    def take(self, units: int) -> None:
        self.spend_money(Decimal(units).scaleb(-5))

    def spend_money(self, amount: Decimal) -> None:
        """Spend the vouchers first, then cash (which may go negative)."""
        self.voucher, self.cash = gift_first(amount, self.voucher, self.cash)


class AccountIn(AdminIn):
    token: SecretText | None = None
    voucher: NonNegative = Decimal(0)
    cash: Money = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class BalanceIn(AdminIn):
    voucher: NonNegative | None = None
    cash: Money | None = None


class BulkIn(AdminIn):
    voucher: NonNegative = Decimal(0)
    cash: Money = Decimal(0)


_voucher = not_negative(money, "voucher balances are never negative")


# -- answers -------------------------------------------------------------------------------------
class BalanceData(BaseModel):
    available_balance: float
    voucher_balance: float
    cash_balance: float


class BalanceOut(BaseModel):
    code: int
    data: BalanceData | None
    scode: str
    status: bool


class ErrorBody(BaseModel):
    message: str
    type: str


class ErrorOut(BaseModel):
    error: ErrorBody


INVALID_AUTH = {
    "error": {"message": "Invalid Authentication", "type": "invalid_authentication_error"}
}


def balance_body(user: MoonshotUser) -> dict[str, Any]:
    return {
        "code": 0,
        "data": {
            "available_balance": user.available,
            "voucher_balance": user.voucher,
            "cash_balance": user.cash,
        },
        "scode": "0x0",
        "status": True,
    }


def invalid_auth() -> Reply:
    return json_reply(401, INVALID_AUTH)


def user_balance(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, balance_body, invalid_auth)


ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/users/me/balance",
        user_balance,
        "Moonshot: available, voucher and cash balance",
        faulty(
            {
                200: {"model": BalanceOut, "description": "The balance, or status false"},
                401: {"model": ErrorOut, "description": "Invalid Authentication"},
                429: {"model": ErrorOut, "description": "Rate limit or quota exceeded (fault)"},
            }
        ),
    ),
)


class MoonshotImitation(ConvertingImitation):
    dialect = "moonshot"
    title = "Moonshot AI (Kimi)"
    short_title = "Moonshot"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = MoonshotUser
    key_length = 48
    units = UNITS
    converters = (("voucher", "voucher", _voucher), ("cash", "cash", money))
    amounts = ("available", "voucher", "cash")
    route_table = ROUTES

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, MoonshotUser)
        record.spend_money(spend)

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            message = fault.message or (
                "Your account request reached organization max RPM: 3, "
                "please try again after 1 seconds"
            )
            limited = {"error": {"message": message, "type": "rate_limit_reached_error"}}
            return json_reply(429, limited, {"Retry-After": str(fault.retry_after)})
        if fault.kind is FaultKind.SUCCESS_FALSE:
            body: dict[str, Any] = {
                "code": 5,
                "data": None,
                "scode": "0x5",
                "status": False,
                "error": {"message": fault.message or "internal error", "type": "server_error"},
            }
            return json_reply(200, body)
        return None


IMITATION = MoonshotImitation()
