"""PPIO in the sandbox: ``GET /v3/user`` answering ``{"credit_balance": <1/10000 CNY>}``.

It accepts the key both as ``Authorization: Bearer <key>`` (PPIO's docs) and as the bare key
(what one widely used client sends), as the real service does. No key at all gets the answer seen
live, HTTP 400 ``{"code": 400, "reason": "MISSING_API_KEY"}``; an unknown or disabled key gets
the Novita family's HTTP 403 ``INVALID_API_KEY`` (assumed: PPIO and Novita share their error
envelope). Amounts are given to the admin API in money (CNY) and stored in units; spending
lowers them (possibly below zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from topup.platforms.novita.imitation import envelope_failure, invalid_key
from topup.sandbox.faults import Fault
from topup.sandbox.imitation import (
    AdminIn,
    Answer,
    Money,
    RequestCount,
    Route,
    SecretText,
    Status,
    bearer_or_raw,
    lookup_answer,
)
from topup.sandbox.openapi import faulty
from topup.sandbox.prepaid import SpendIn
from topup.sandbox.records import Record, SandboxError, Site
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import UnitsImitation, in_units

UNITS = 10_000  # 1/10000 CNY


@dataclass(slots=True)
class PPIOUser(Record):
    """A PPIO account: its credit balance in 1/10000 CNY."""

    credit: int = 0

    def take(self, units: int) -> None:
        if units > 0:
            self.credit -= units


class AccountIn(AdminIn):
    token: SecretText | None = None
    balance: Money = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class BalanceIn(AdminIn):
    balance: Money


class BulkIn(AdminIn):
    balance: Money = Decimal(0)


# -- answers -------------------------------------------------------------------------------------
class UserOut(BaseModel):
    credit_balance: int


class Failure(BaseModel):
    """The Novita family's failure envelope (its own name in the sandbox's OpenAPI document)."""

    code: int
    reason: str
    message: str | None = None


MISSING_KEY = {"code": 400, "reason": "MISSING_API_KEY"}


def user(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    key = bearer_or_raw(headers.get("authorization"))
    if key is None:
        return Answer(json_reply(400, MISSING_KEY))
    return lookup_answer(state, site, key, lambda now: {"credit_balance": now.credit}, invalid_key)


ROUTES: tuple[Route, ...] = (
    Route(
        "/v3/user",
        user,
        "PPIO: the account, its credit_balance in 1/10000 CNY",
        faulty(
            {
                200: {"model": UserOut, "description": "credit_balance in 1/10000 CNY"},
                400: {"model": Failure, "description": "MISSING_API_KEY"},
                403: {"model": Failure, "description": "INVALID_API_KEY"},
                429: {"model": Failure, "description": "RATE_LIMIT_EXCEEDED (fault)"},
            }
        ),
    ),
)


class PPIOImitation(UnitsImitation):
    dialect = "ppio"
    title = "PPIO"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = PPIOUser
    key_prefix = "sk_"
    key_length = 43
    units = UNITS
    converters = (("balance", "credit", in_units(UNITS)),)
    route_table = ROUTES

    def balance_values(self, f: Mapping[str, Any]) -> dict[str, Any]:
        if f.get("balance") is None:
            raise SandboxError("give balance")
        return super().balance_values(f)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, PPIOUser)
        return {"credit_balance": record.credit}

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        return envelope_failure(fault)


IMITATION = PPIOImitation()
