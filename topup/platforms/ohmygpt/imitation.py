"""OhMyGPT in the sandbox: ``POST /api/v1/user/admin/balance`` with an admin key.

An account holds ``balance`` and the daily ``free_balance`` (spent first), in OhMyGPT's own
undocumented unit, served as two-decimal strings. An unknown key is HTTP 401, a key without
admin permission (a disabled record) HTTP 403, both with the ``statusCode`` envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from topup.platforms.ohmygpt.client import PATH
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Answer, Route, Status, bearer_answer
from topup.sandbox.money import money_text
from topup.sandbox.openapi import faulty
from topup.sandbox.prepaid import gift_first
from topup.sandbox.records import Record, Site
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import Money, RequestCount, SecretText, SimpleImitation

STEPS = 100  # amounts move in 0.01 steps


@dataclass(slots=True)
class OhMyGPTUser(Record):
    """An OhMyGPT account: its balance and daily free balance."""

    balance: Decimal = Decimal(0)
    free_balance: Decimal = Decimal(0)

    def take(self, units: int) -> None:
        amount = Decimal(units) / STEPS
        self.free_balance, self.balance = gift_first(amount, self.free_balance, self.balance)


class AccountIn(AdminIn):
    token: SecretText | None = None
    balance: Money = Decimal(0)
    free_balance: Money = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class AmountsIn(AdminIn):
    balance: Money | None = None
    free_balance: Money | None = None


class BalanceData(BaseModel):
    balance: str
    free_balance: str


class BalanceAnswer(BaseModel):
    statusCode: int
    message: str
    data: BalanceData | None = None


def envelope(status: int, message: str) -> Reply:
    return json_reply(status, {"statusCode": status, "message": message})


def balance_body(now: OhMyGPTUser) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "message": "get user balance success",
        "data": {
            "balance": money_text(now.balance),
            "free_balance": money_text(now.free_balance),
        },
    }


def admin_balance(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(
        state,
        site,
        headers,
        balance_body,
        lambda: envelope(401, "Unauthorized"),
        disabled=lambda: envelope(403, "This API key has no admin permission"),
    )


RESPONSES = faulty(
    {
        200: {"model": BalanceAnswer, "description": "The user's balance"},
        401: {"model": BalanceAnswer, "description": "Unknown key"},
        403: {"model": BalanceAnswer, "description": "Key without admin permission"},
    }
)


class OhMyGPTImitation(SimpleImitation):
    dialect = "ohmygpt"
    title = "OhMyGPT"
    account_model = AccountIn
    balance_model = AmountsIn
    bulk_model = AmountsIn
    account_type = OhMyGPTUser
    amounts = ("balance", "free_balance")
    units = STEPS

    def routes(self) -> tuple[Route, ...]:
        return (Route(PATH, admin_balance, "OhMyGPT: user balance", RESPONSES, method="POST"),)

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.SUCCESS_FALSE:
            body = {"statusCode": 500, "message": fault.message or "Internal Server Error"}
            return json_reply(200, body)
        return None


IMITATION = OhMyGPTImitation()
