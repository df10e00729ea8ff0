"""DeepSeek in the sandbox: ``GET /user/balance`` as documented, for accounts holding a CNY
row, a USD row, or both (each with a granted and a topped-up part).

A row exists once any of its amounts is given (``usd_granted="0"`` makes an empty USD row, the
shape that fools one-number peers). Spending takes the granted part first, then the topped-up
part (which may go negative), from the account's ``billing`` currency (default: its CNY row,
else its USD row). ``is_available`` is derived: the account is enabled and some row holds a
positive total, unless the account's ``available`` forces it. An account with no row answers an
empty ``balance_infos``. Amounts move in
0.0001 steps and are written as strings with at least two decimals (``"110.00"``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from topup.sandbox.imitation import (
    AdminIn,
    Answer,
    Money,
    RequestCount,
    Route,
    SecretText,
    Status,
    bearer,
    known,
    lookup_answer,
)
from topup.sandbox.money import money_text
from topup.sandbox.openapi import faulty
from topup.sandbox.prepaid import gift_first
from topup.sandbox.records import ENABLED, Record, SandboxError, Site, money
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import ConvertingImitation

UNITS = 10_000  # amounts move in 0.0001 steps
CURRENCIES = ("CNY", "USD")
Currency = Literal["CNY", "USD"]


@dataclass(slots=True)
class DeepSeekUser(Record):
    """A DeepSeek account: up to one row per currency (None: the row does not exist)."""

    cny_granted: Decimal | None = None
    cny_topped_up: Decimal | None = None
    usd_granted: Decimal | None = None
    usd_topped_up: Decimal | None = None
    #: The currency spending is taken from ("" : the first row it holds).
    billing: str = ""
    #: Forces ``is_available`` (None: derived from the status and the amounts).
    available: bool | None = None

    def rows(self) -> list[tuple[str, Decimal, Decimal]]:
        """``(currency, granted, topped_up)`` for every row the account holds, CNY first."""
        out = []
        for currency in CURRENCIES:
            granted, topped = self._row(currency)
            if granted is not None or topped is not None:
                out.append((currency, granted or Decimal(0), topped or Decimal(0)))
        return out

    def _row(self, currency: str) -> tuple[Decimal | None, Decimal | None]:
        prefix = currency.lower()
        granted: Decimal | None = getattr(self, f"{prefix}_granted")
        topped: Decimal | None = getattr(self, f"{prefix}_topped_up")
        return granted, topped

    @property
    def spend_currency(self) -> str | None:
        held = [c for c, _, _ in self.rows()]
        if self.billing in held:
            return self.billing
        return held[0] if held else None

    @property
    def is_available(self) -> bool:
        if self.available is not None:
            return self.available
        return self.status == ENABLED and any(g + t > 0 for _, g, t in self.rows())

    def take(self, units: int) -> None:
        currency = self.spend_currency
        if currency is not None:
            self.spend_money(Decimal(units).scaleb(-4), currency)

    def spend_money(self, amount: Decimal, currency: str) -> None:
        """Spend the granted part first, then the topped-up part (which may go negative)."""
        if amount <= 0:
            return
        granted, topped = self._row(currency)
        granted, topped = gift_first(amount, granted or Decimal(0), topped or Decimal(0))
        prefix = currency.lower()
        setattr(self, f"{prefix}_granted", granted)
        setattr(self, f"{prefix}_topped_up", topped)


# -- admin input ---------------------------------------------------------------------------------
class AccountIn(AdminIn):
    token: SecretText | None = None
    cny_granted: Money | None = None
    cny_topped_up: Money | None = None
    usd_granted: Money | None = None
    usd_topped_up: Money | None = None
    billing: Currency | None = None
    available: bool | None = None
    status: Status = 1
    request_count: RequestCount = 0


class BalanceIn(AdminIn):
    cny_granted: Money | None = None
    cny_topped_up: Money | None = None
    usd_granted: Money | None = None
    usd_topped_up: Money | None = None


class AccountPatch(AdminIn):
    billing: Currency | None = None
    #: Force ``is_available`` (true/false); ``derive`` goes back to deriving it.
    available: bool | Literal["derive"] | None = None


class SpendIn(AdminIn):
    amount: Money
    #: The row to spend from (default: the account's billing currency).
    currency: Currency | None = None


class BulkIn(AdminIn):
    cny_granted: Money | None = None
    cny_topped_up: Money | None = None
    usd_granted: Money | None = None
    usd_topped_up: Money | None = None


AMOUNT_FIELDS = ("cny_granted", "cny_topped_up", "usd_granted", "usd_topped_up")


def _billing(value: Any) -> str:
    if value in (None, ""):
        return ""
    if value not in CURRENCIES:
        raise SandboxError(f"billing is one of {', '.join(CURRENCIES)}")
    return str(value)


# -- answers -------------------------------------------------------------------------------------
class BalanceInfo(BaseModel):
    currency: str
    total_balance: str
    granted_balance: str
    topped_up_balance: str


class UserBalance(BaseModel):
    is_available: bool
    balance_infos: list[BalanceInfo]


class ErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str


class ErrorOut(BaseModel):
    error: ErrorBody


def auth_failure(token: str | None) -> Reply:
    """DeepSeek's 401: the message names the key's last four characters."""
    if token is None:
        message = "Authentication Fails (no such user)"
    else:
        message = f"Authentication Fails, Your api key: ****{token[-4:]} is invalid"
    body = {
        "error": {
            "message": message,
            "type": "authentication_error",
            "param": None,
            "code": "invalid_request_error",
        }
    }
    return json_reply(401, body)


def balance_body(user: DeepSeekUser) -> dict[str, Any]:
    return {
        "is_available": user.is_available,
        "balance_infos": [
            {
                "currency": currency,
                "total_balance": money_text(granted + topped),
                "granted_balance": money_text(granted),
                "topped_up_balance": money_text(topped),
            }
            for currency, granted, topped in user.rows()
        ],
    }


def user_balance(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    token = bearer(headers.get("authorization"))
    return lookup_answer(
        state, site, token, balance_body, lambda: auth_failure(token), serve_disabled=True
    )


ROUTES: tuple[Route, ...] = (
    Route(
        "/user/balance",
        user_balance,
        "DeepSeek: the account's balance, one entry per currency",
        faulty(
            {
                200: {"model": UserBalance, "description": "Balance per currency"},
                401: {"model": ErrorOut, "description": "Authentication Fails"},
            }
        ),
    ),
)


class DeepSeekImitation(ConvertingImitation):
    dialect = "deepseek"
    title = "DeepSeek"
    account_model = AccountIn
    patch_model = AccountPatch
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = DeepSeekUser
    key_length = 32
    key_alphabet = string.hexdigits[:16]
    units = UNITS
    converters = tuple((name, name, money) for name in AMOUNT_FIELDS)
    route_table = ROUTES

    def account_amounts(self, f: Mapping[str, Any]) -> dict[str, Any]:
        amounts = self.balance_values(f)  # a row exists once one of its amounts is given
        return {**amounts, "billing": _billing(f.get("billing")), "available": f.get("available")}

    def validate_patch(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        f = known(fields, AccountPatch, "account setting")
        changes: dict[str, Any] = {}
        if f.get("billing") is not None:
            changes["billing"] = _billing(f["billing"])
        if f.get("available") is not None:
            value = f["available"]
            if value not in (True, False, "derive"):
                raise SandboxError("available is true, false or 'derive'")
            changes["available"] = None if value == "derive" else value
        return changes

    def spend_of(self, record: Record, f: Mapping[str, Any]) -> Any:
        assert isinstance(record, DeepSeekUser)
        currency = f.get("currency") or record.spend_currency
        if currency not in [c for c, _, _ in record.rows()]:
            raise SandboxError(f"the account holds no {currency or 'currency'} row to spend from")
        return (money(f["amount"]), currency)

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, DeepSeekUser)
        amount, currency = spend
        record.spend_money(amount, currency)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, DeepSeekUser)
        return {
            "is_available": record.is_available,
            "billing": record.spend_currency,
            "rows": [
                {"currency": c, "granted": str(g), "topped_up": str(t), "total": str(g + t)}
                for c, g, t in record.rows()
            ],
        }


IMITATION = DeepSeekImitation()
