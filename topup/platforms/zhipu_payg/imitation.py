"""Zhipu BigModel's pay-as-you-go account report in the sandbox.

``GET /api/biz/account/query-customer-account-report`` takes the key as ``Bearer <key>`` or raw
(public clients use both). Every answer is HTTP 200: the account's ledger (recharged, given,
spent, frozen; balance = recharged + given - spent, available = balance - frozen, CNY, JSON
numbers), or ``success: false`` with Zhipu's business code (1001 no header, 1000 unknown key,
1112 a locked account). Spending adds to ``totalSpendAmount`` in 0.0001 steps, so an account in
arrears shows a negative balance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from topup.platforms.zhipu_payg.client import PATH
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Answer, Route, Status, bearer_or_raw, lookup_answer
from topup.sandbox.openapi import faulty
from topup.sandbox.records import MAX_MONEY, Record, Site
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import Money, RequestCount, SecretText, SimpleImitation

STEPS = 10_000  # spending moves in 0.0001 CNY steps
Total = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]
NO_HEADER = "Header中未收到Authorization参数，无法进行身份验证。"
BAD_KEY = "身份验证失败。"
LOCKED = "当前账户已被锁定，请联系平台客服。"


@dataclass(slots=True)
class ZhipuAccount(Record):
    """A BigModel account's ledger: recharged, given (gift), spent and frozen amounts."""

    recharge: Decimal = Decimal(0)
    give: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    frozen: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        return self.recharge + self.give - self.spent

    def take(self, units: int) -> None:
        self.spent += Decimal(units) / STEPS


class AccountIn(AdminIn):
    token: SecretText | None = None
    recharge: Money = Decimal(0)
    give: Total = Decimal(0)
    spent: Total = Decimal(0)
    frozen: Total = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class LedgerIn(AdminIn):
    recharge: Money | None = None
    give: Total | None = None
    spent: Total | None = None
    frozen: Total | None = None


class Report(BaseModel):
    balance: Decimal
    rechargeAmount: Decimal
    giveAmount: Decimal
    totalSpendAmount: Decimal
    availableBalance: Decimal
    frozenBalance: Decimal


class Envelope(BaseModel):
    code: int
    msg: str
    success: bool
    data: Report | None = None


def refused(code: int, msg: str) -> Reply:
    return json_reply(200, {"code": code, "msg": msg, "success": False})


def report_body(acc: ZhipuAccount) -> dict[str, object]:
    return {
        "code": 200,
        "msg": "操作成功",
        "success": True,
        "data": {
            "balance": acc.balance,
            "rechargeAmount": acc.recharge,
            "giveAmount": acc.give,
            "totalSpendAmount": acc.spent,
            "todaySpendAmount": None,
            "availableBalance": acc.balance - acc.frozen,
            "frozenBalance": acc.frozen,
            "creditBalance": None,
            "availableCreditBalance": None,
            "creditStatus": "NOT_OPEN",
            "modelSpendAmountList": None,
            "isKA": False,
        },
    }


def account_report(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    key = bearer_or_raw(headers.get("authorization"))
    if not key:
        return Answer(refused(1001, NO_HEADER))
    return lookup_answer(
        state,
        site,
        key,
        report_body,
        lambda: refused(1000, BAD_KEY),
        disabled=lambda: refused(1112, LOCKED),
    )


RESPONSES = faulty(
    {200: {"model": Envelope, "description": "The ledger, or success:false with a code"}}
)


class ZhipuPaygImitation(SimpleImitation):
    dialect = "zhipu-payg"
    title = "Zhipu BigModel (pay-as-you-go)"
    account_model = AccountIn
    balance_model = LedgerIn
    bulk_model = LedgerIn
    account_type = ZhipuAccount
    amounts = ("recharge", "give", "spent", "frozen")
    units = STEPS
    key_prefix = "zp-"

    def routes(self) -> tuple[Route, ...]:
        return (Route(PATH, account_report, "Zhipu: pay-as-you-go account report", RESPONSES),)

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.SUCCESS_FALSE:
            return refused(500, fault.message or "系统错误")
        return None


IMITATION = ZhipuPaygImitation()
