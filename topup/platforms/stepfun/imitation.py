"""StepFun in the sandbox: ``GET /v1/accounts`` as documented.

An account holds its available ``balance`` and two lifetime sums: everything ever topped up
(``total_cash_balance``) and everything ever granted (``total_voucher_balance``). A top-up or a
grant (admin ``balance`` call with ``top_up`` / ``grant``) raises the balance and its lifetime
sum; spending lowers only the balance (which may go negative). Amounts move in 0.0001 steps and
are written as JSON numbers. The body of a refused key is OpenAI-style
(``{"error": {"message", "type"}}``): StepFun's docs do not show one. A disabled account is
refused like an unknown key.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

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
from topup.sandbox.replies import json_reply

UNITS = 10_000  # amounts move in 0.0001 steps
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]
Lifetime = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]
AccountType = Literal["prepaid", "postpaid"]


@dataclass(slots=True)
class StepFunAccount(Record):
    """A StepFun account: the available balance and two lifetime sums."""

    balance: Decimal = Decimal(0)
    total_cash: Decimal = Decimal(0)
    total_voucher: Decimal = Decimal(0)
    account_type: str = "prepaid"

    def take(self, units: int) -> None:
        self.balance -= Decimal(units).scaleb(-4)


class AccountIn(AdminIn):
    token: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    #: Default: everything topped up plus everything granted (nothing spent yet).
    balance: Money | None = None
    total_cash_balance: Lifetime = Decimal(0)
    total_voucher_balance: Lifetime = Decimal(0)
    type: AccountType = "prepaid"
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)


class BalanceIn(AdminIn):
    balance: Money | None = None
    total_cash_balance: Lifetime | None = None
    total_voucher_balance: Lifetime | None = None
    #: Money topped up now (raises the balance and the lifetime cash sum).
    top_up: Lifetime | None = None
    #: Vouchers granted now (raise the balance and the lifetime voucher sum).
    grant: Lifetime | None = None


class AccountPatch(AdminIn):
    type: AccountType | None = None


class SpendIn(AdminIn):
    amount: Money


class BulkIn(AdminIn):
    balance: Money | None = None
    total_cash_balance: Lifetime = Decimal(0)
    total_voucher_balance: Lifetime = Decimal(0)


def _known(fields: Mapping[str, Any], model: type[AdminIn], what: str) -> dict[str, Any]:
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise SandboxError(f"unknown {what} fields: {', '.join(sorted(unknown))}")
    return dict(fields)


def _lifetime(value: Any, what: str) -> Decimal:
    amount = money(value, what)
    if amount < 0:
        raise SandboxError(f"{what} is a lifetime sum, never negative")
    return amount


def _type(value: Any) -> str:
    if value not in ("prepaid", "postpaid"):
        raise SandboxError("type is prepaid or postpaid")
    return str(value)


# -- answers -------------------------------------------------------------------------------------
class AccountOut(BaseModel):
    object: str
    type: str
    balance: float
    total_cash_balance: float
    total_voucher_balance: float


class ErrorBody(BaseModel):
    message: str
    type: str


class ErrorOut(BaseModel):
    error: ErrorBody


INVALID_KEY = {"error": {"message": "Incorrect API key provided", "type": "invalid_api_key"}}


def bearer(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), else None."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def account_body(acc: StepFunAccount) -> dict[str, Any]:
    return {
        "object": "account",
        "type": acc.account_type,
        "balance": acc.balance,
        "total_cash_balance": acc.total_cash,
        "total_voucher_balance": acc.total_voucher,
    }


def accounts(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    token = bearer(headers.get("authorization"))
    acc = state.account_by_token(site.name, token) if token is not None else None
    if acc is None or acc.status != ENABLED:
        return Answer(json_reply(401, INVALID_KEY), acc)
    return Answer(json_reply(200, account_body(state.current(acc))), acc, count=True)


ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/accounts",
        accounts,
        "StepFun: the account's available balance and lifetime top-ups and grants",
        faulty(
            {
                200: {"model": AccountOut, "description": "The account"},
                401: {"model": ErrorOut, "description": "Unknown or disabled key"},
            }
        ),
    ),
)


class StepFunImitation(Imitation):
    dialect = "stepfun"
    title = "StepFun"
    account_model = AccountIn
    patch_model = AccountPatch
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = StepFunAccount

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"StepFun sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> StepFunAccount:
        f = _known(fields, AccountIn, "account")
        cash = _lifetime(f.get("total_cash_balance", 0), "total_cash_balance")
        voucher = _lifetime(f.get("total_voucher_balance", 0), "total_voucher_balance")
        balance = f.get("balance")
        return StepFunAccount(
            site=site.name,
            id=ident,
            token=f.get("token") or random_token(64, string.ascii_letters + string.digits),
            status=f.get("status", ENABLED),
            request_count=f.get("request_count", 0),
            balance=cash + voucher if balance is None else money(balance, "balance"),
            total_cash=cash,
            total_voucher=voucher,
            account_type=_type(f.get("type", "prepaid")),
        )

    def validate_patch(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        f = _known(fields, AccountPatch, "account setting")
        return {"account_type": _type(f["type"])} if f.get("type") is not None else {}

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {k: v for k, v in fields.items() if v is not None}, {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return UNITS

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = _known(fields, BalanceIn, "balance")
        values = {
            name: money(f[name], name) if name == "balance" else _lifetime(f[name], name)
            for name in BalanceIn.model_fields
            if f.get(name) is not None
        }
        assert isinstance(record, StepFunAccount)
        if "balance" in values:
            record.balance = values["balance"]
        if "total_cash_balance" in values:
            record.total_cash = values["total_cash_balance"]
        if "total_voucher_balance" in values:
            record.total_voucher = values["total_voucher_balance"]
        if "top_up" in values:
            record.balance += values["top_up"]
            record.total_cash += values["top_up"]
        if "grant" in values:
            record.balance += values["grant"]
            record.total_voucher += values["grant"]

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        f = _known(fields, SpendIn, "spend")
        if f.get("amount") is None:
            raise SandboxError("StepFun spends take an amount")
        return money(f["amount"])

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, StepFunAccount)
        if spend > 0:
            record.balance -= spend

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, StepFunAccount)
        return {
            "type": record.account_type,
            "balance": str(record.balance),
            "total_cash_balance": str(record.total_cash),
            "total_voucher_balance": str(record.total_voucher),
        }

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}

    def routes(self) -> tuple[Route, ...]:
        return ROUTES


IMITATION = StepFunImitation()
