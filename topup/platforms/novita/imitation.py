"""Novita AI in the sandbox: ``GET /openapi/v1/billing/balance/detail`` as documented.

An account holds its cash (top-ups left; negative once spending draws on the credit line) and a
credit limit, both counted in 1/10000 USD and written as integer strings. ``availableBalance`` =
cash + credit limit (the docs' example: 100 = 80 cash + 20 credit), ``outstandingInvoices`` is
what the account owes (negative cash), ``pendingCharges`` is ``"0"`` as the docs say it
currently is. Admin amounts are given in money (USD) and stored in units. A refused key gets the
Novita envelope seen live, HTTP 403 ``{"code": 403, "reason": "INVALID_API_KEY", "message":
"invalid api-key"}``; a disabled account is refused the same way.
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
from topup.sandbox.prepaid import SpendIn
from topup.sandbox.records import Record, Site
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import UnitsImitation, in_units, not_negative

UNITS = 10_000  # 1/10000 USD
#: Money (USD) to 1/10000 units.
to_units = in_units(UNITS)


@dataclass(slots=True)
class NovitaUser(Record):
    """A Novita account: cash and credit limit in 1/10000 USD."""

    cash: int = 0
    credit_limit: int = 0

    @property
    def available(self) -> int:
        return self.cash + self.credit_limit

    @property
    def outstanding(self) -> int:
        return max(0, -self.cash)

    def take(self, units: int) -> None:
        if units > 0:
            self.cash -= units


class AccountIn(AdminIn):
    token: SecretText | None = None
    cash: Money = Decimal(0)
    credit_limit: NonNegative = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class BalanceIn(AdminIn):
    cash: Money | None = None
    credit_limit: NonNegative | None = None


class BulkIn(AdminIn):
    cash: Money = Decimal(0)
    credit_limit: NonNegative = Decimal(0)


_limit = not_negative(to_units, "credit_limit is never negative")


# -- answers -------------------------------------------------------------------------------------
class BalanceDetail(BaseModel):
    availableBalance: str
    cashBalance: str
    creditLimit: str
    pendingCharges: str
    outstandingInvoices: str


class Failure(BaseModel):
    code: int
    reason: str
    message: str | None = None


INVALID_KEY = {"code": 403, "reason": "INVALID_API_KEY", "message": "invalid api-key"}


def detail_body(user: NovitaUser) -> dict[str, str]:
    return {
        "availableBalance": str(user.available),
        "cashBalance": str(user.cash),
        "creditLimit": str(user.credit_limit),
        "pendingCharges": "0",
        "outstandingInvoices": str(user.outstanding),
    }


def envelope_failure(fault: Fault) -> Reply | None:
    """The Novita envelope of a rate limit (HTTP 429) and of a failure under HTTP 200 (PPIO,
    the same platform, answers them alike)."""
    if fault.kind is FaultKind.RATE_LIMIT:
        body = {
            "code": 429,
            "reason": "RATE_LIMIT_EXCEEDED",
            "message": fault.message or "rate limit exceeded",
        }
        return json_reply(429, body, {"Retry-After": str(fault.retry_after)})
    if fault.kind is FaultKind.SUCCESS_FALSE:
        body = {
            "code": 500,
            "reason": "SERVICE_NOT_AVAILABLE",
            "message": fault.message or "service not available",
        }
        return json_reply(200, body)
    return None


def invalid_key() -> Reply:
    return json_reply(403, INVALID_KEY)


def balance_detail(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, detail_body, invalid_key)


ROUTES: tuple[Route, ...] = (
    Route(
        "/openapi/v1/billing/balance/detail",
        balance_detail,
        "Novita: available balance, cash and credit limit in 1/10000 USD",
        faulty(
            {
                200: {"model": BalanceDetail, "description": "Amounts in 1/10000 USD"},
                403: {"model": Failure, "description": "INVALID_API_KEY"},
                429: {"model": Failure, "description": "RATE_LIMIT_EXCEEDED (fault)"},
            }
        ),
    ),
)


class NovitaImitation(UnitsImitation):
    dialect = "novita"
    title = "Novita AI"
    short_title = "Novita"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = NovitaUser
    key_prefix = "sk_"
    key_length = 43
    units = UNITS
    converters = (("cash", "cash", to_units), ("credit_limit", "credit_limit", _limit))
    route_table = ROUTES

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, NovitaUser)
        return detail_body(record)

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        return envelope_failure(fault)


IMITATION = NovitaImitation()
