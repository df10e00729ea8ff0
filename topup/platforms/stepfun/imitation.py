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

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

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
    known,
)
from topup.sandbox.openapi import faulty
from topup.sandbox.prepaid import SpendIn
from topup.sandbox.records import Record, SandboxError, Site, money
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import ConvertingImitation, not_negative

UNITS = 10_000  # amounts move in 0.0001 steps
Lifetime = NonNegative
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
    token: SecretText | None = None
    #: Default: everything topped up plus everything granted (nothing spent yet).
    balance: Money | None = None
    total_cash_balance: Lifetime = Decimal(0)
    total_voucher_balance: Lifetime = Decimal(0)
    type: AccountType = "prepaid"
    status: Status = 1
    request_count: RequestCount = 0


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


class BulkIn(AdminIn):
    balance: Money | None = None
    total_cash_balance: Lifetime = Decimal(0)
    total_voucher_balance: Lifetime = Decimal(0)


_lifetime = not_negative(money, "{what} is a lifetime sum, never negative")


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


def account_body(acc: StepFunAccount) -> dict[str, Any]:
    return {
        "object": "account",
        "type": acc.account_type,
        "balance": acc.balance,
        "total_cash_balance": acc.total_cash,
        "total_voucher_balance": acc.total_voucher,
    }


def invalid_key() -> Reply:
    return json_reply(401, INVALID_KEY)


def accounts(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, account_body, invalid_key)


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


class StepFunImitation(ConvertingImitation):
    dialect = "stepfun"
    title = "StepFun"
    account_model = AccountIn
    patch_model = AccountPatch
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = StepFunAccount
    key_prefix = ""
    key_length = 64
    units = UNITS
    route_table = ROUTES

    def account_amounts(self, f: Mapping[str, Any]) -> dict[str, Any]:
        cash = _lifetime(f.get("total_cash_balance", 0), "total_cash_balance")
        voucher = _lifetime(f.get("total_voucher_balance", 0), "total_voucher_balance")
        balance = f.get("balance")
        return {
            "balance": cash + voucher if balance is None else money(balance, "balance"),
            "total_cash": cash,
            "total_voucher": voucher,
            "account_type": _type(f.get("type", "prepaid")),
        }

    def validate_patch(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        f = known(fields, AccountPatch, "account setting")
        return {"account_type": _type(f["type"])} if f.get("type") is not None else {}

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = known(fields, BalanceIn, "balance")
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


IMITATION = StepFunImitation()
