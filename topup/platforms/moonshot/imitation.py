"""Moonshot AI (Kimi) in the sandbox: ``GET /v1/users/me/balance`` as documented.

An account holds a voucher part (never negative) and a cash part (negative: arrears). Spending
takes the vouchers first, then cash, which may go negative. ``available_balance`` follows the
docs' rule: the vouchers when cash is negative, else vouchers + cash. Amounts move in 0.00001
steps and are written as JSON numbers (``49.58894``). Sites have no settings: which currency a
host means is the client's rule (``.ai`` is USD), not the server's. A disabled account is
refused like an unknown key (HTTP 401 ``invalid_authentication_error``).
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
from topup.sandbox.openapi import faulty
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

UNITS = 100_000  # amounts move in 0.00001 steps
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]
Voucher = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]


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
        if amount <= 0:
            return
        from_voucher = min(amount, max(self.voucher, Decimal(0)))
        self.voucher -= from_voucher
        self.cash -= amount - from_voucher


class AccountIn(AdminIn):
    token: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    voucher: Voucher = Decimal(0)
    cash: Money = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)


class BalanceIn(AdminIn):
    voucher: Voucher | None = None
    cash: Money | None = None


class SpendIn(AdminIn):
    amount: Money


class BulkIn(AdminIn):
    voucher: Voucher = Decimal(0)
    cash: Money = Decimal(0)


def _known(fields: Mapping[str, Any], model: type[AdminIn], what: str) -> dict[str, Any]:
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise SandboxError(f"unknown {what} fields: {', '.join(sorted(unknown))}")
    return dict(fields)


def _voucher(value: Any) -> Decimal:
    amount = money(value, "voucher")
    if amount < 0:
        raise SandboxError("voucher balances are never negative")
    return amount


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


def bearer(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), else None."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


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


def user_balance(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    token = bearer(headers.get("authorization"))
    user = state.account_by_token(site.name, token) if token is not None else None
    if user is None or user.status != ENABLED:
        return Answer(json_reply(401, INVALID_AUTH), user)
    return Answer(json_reply(200, balance_body(state.current(user))), user, count=True)


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


class MoonshotImitation(Imitation):
    dialect = "moonshot"
    title = "Moonshot AI (Kimi)"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = MoonshotUser

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"Moonshot sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> MoonshotUser:
        f = _known(fields, AccountIn, "account")
        token = f.get("token") or "sk-" + random_token(48, string.ascii_letters + string.digits)
        return MoonshotUser(
            site=site.name,
            id=ident,
            token=token,
            status=f.get("status", ENABLED),
            request_count=f.get("request_count", 0),
            voucher=_voucher(f.get("voucher", 0)),
            cash=money(f.get("cash", 0), "cash"),
        )

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"voucher": fields.get("voucher", 0), "cash": fields.get("cash", 0)}, {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return UNITS

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = _known(fields, BalanceIn, "balance")
        voucher = _voucher(f["voucher"]) if f.get("voucher") is not None else None
        cash = money(f["cash"], "cash") if f.get("cash") is not None else None
        assert isinstance(record, MoonshotUser)
        if voucher is not None:
            record.voucher = voucher
        if cash is not None:
            record.cash = cash

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        f = _known(fields, SpendIn, "spend")
        if f.get("amount") is None:
            raise SandboxError("Moonshot spends take an amount")
        return money(f["amount"])

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, MoonshotUser)
        record.spend_money(spend)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, MoonshotUser)
        return {
            "available": str(record.available),
            "voucher": str(record.voucher),
            "cash": str(record.cash),
        }

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}

    def routes(self) -> tuple[Route, ...]:
        return ROUTES

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
