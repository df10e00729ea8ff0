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

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Answer, Imitation, Route
from topup.sandbox.money import to_quota
from topup.sandbox.openapi import faulty
from topup.sandbox.records import (
    ENABLED,
    MAX_MONEY,
    MAX_QUOTA,
    Record,
    SandboxError,
    Site,
    money,
    quota_amount,
    random_token,
)
from topup.sandbox.replies import Reply, json_reply

UNITS = 10_000  # 1/10000 USD
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]
Limit = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]


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
    token: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    cash: Money = Decimal(0)
    credit_limit: Limit = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)


class BalanceIn(AdminIn):
    cash: Money | None = None
    credit_limit: Limit | None = None


class SpendIn(AdminIn):
    amount: Money


class BulkIn(AdminIn):
    cash: Money = Decimal(0)
    credit_limit: Limit = Decimal(0)


def _known(fields: Mapping[str, Any], model: type[AdminIn], what: str) -> dict[str, Any]:
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise SandboxError(f"unknown {what} fields: {', '.join(sorted(unknown))}")
    return dict(fields)


def to_units(value: Any, what: str) -> int:
    """Money (USD) to 1/10000 units."""
    return quota_amount(to_quota(money(value, what), UNITS), what)


def _limit(value: Any) -> int:
    amount = to_units(value, "credit_limit")
    if amount < 0:
        raise SandboxError("credit_limit is never negative")
    return amount


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


def bearer(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), else None."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def detail_body(user: NovitaUser) -> dict[str, str]:
    return {
        "availableBalance": str(user.available),
        "cashBalance": str(user.cash),
        "creditLimit": str(user.credit_limit),
        "pendingCharges": "0",
        "outstandingInvoices": str(user.outstanding),
    }


def balance_detail(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    token = bearer(headers.get("authorization"))
    user = state.account_by_token(site.name, token) if token is not None else None
    if user is None or user.status != ENABLED:
        return Answer(json_reply(403, INVALID_KEY), user)
    return Answer(json_reply(200, detail_body(state.current(user))), user, count=True)


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


class NovitaImitation(Imitation):
    dialect = "novita"
    title = "Novita AI"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = NovitaUser

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"Novita sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> NovitaUser:
        f = _known(fields, AccountIn, "account")
        return NovitaUser(
            site=site.name,
            id=ident,
            token=f.get("token") or "sk_" + random_token(43, string.ascii_letters + string.digits),
            status=f.get("status", ENABLED),
            request_count=f.get("request_count", 0),
            cash=to_units(f.get("cash", 0), "cash"),
            credit_limit=_limit(f.get("credit_limit", 0)),
        )

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"cash": fields.get("cash", 0), "credit_limit": fields.get("credit_limit", 0)}, {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return UNITS

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = _known(fields, BalanceIn, "balance")
        cash = to_units(f["cash"], "cash") if f.get("cash") is not None else None
        limit = _limit(f["credit_limit"]) if f.get("credit_limit") is not None else None
        assert isinstance(record, NovitaUser)
        if cash is not None:
            record.cash = cash
        if limit is not None:
            record.credit_limit = limit

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> int:
        f = _known(fields, SpendIn, "spend")
        if f.get("amount") is None:
            raise SandboxError("Novita spends take an amount")
        return to_units(f["amount"], "amount")

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        record.take(spend)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, NovitaUser)
        return detail_body(record)

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}

    def routes(self) -> tuple[Route, ...]:
        return ROUTES

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
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


IMITATION = NovitaImitation()
