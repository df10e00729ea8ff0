"""DeepInfra in the sandbox: ``GET /payment/checklist`` (the ``compute_owed`` query is accepted
and changes nothing here).

An account holds prepaid ``credit`` (served as ``stripe_balance = -credit``: Stripe's inverted
sign), unbilled usage ``recent`` (spending adds to it, in 0.0001 USD steps), an optional spending
``limit`` and, when disabled, a suspension with its reason. The answer also carries the billing
fields the real one has (address, payment method), with placeholder values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from topup.platforms.deepinfra.client import PATH
from topup.sandbox.imitation import AdminIn, Answer, Route, Status, bearer_answer
from topup.sandbox.openapi import faulty
from topup.sandbox.records import DISABLED, MAX_MONEY, Record, Site
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import Label, Money, RequestCount, SecretText, SimpleImitation

STEPS = 10_000  # usage accrues in 0.0001 USD steps
Usage = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]


@dataclass(slots=True)
class DeepInfraAccount(Record):
    """Prepaid credit, usage not yet invoiced, a spending limit (-1: none)."""

    credit: Decimal = Decimal(0)
    recent: Decimal = Decimal(0)
    limit: Decimal = Decimal(-1)
    suspend_reason: str = ""

    def take(self, units: int) -> None:
        self.recent += Decimal(units) / STEPS


class AccountIn(AdminIn):
    token: SecretText | None = None
    credit: Money = Decimal(0)
    recent: Usage = Decimal(0)
    limit: Money = Decimal(-1)
    suspend_reason: Label = ""
    status: Status = 1
    request_count: RequestCount = 0


class AmountsIn(AdminIn):
    credit: Money | None = None
    recent: Usage | None = None
    limit: Money | None = None


class Checklist(BaseModel):
    stripe_balance: Decimal
    recent: Decimal
    limit: Decimal | None
    suspended: bool
    suspend_reason: str | None
    overdue_invoices: Decimal
    billing_type: str
    topup: bool


class Detail(BaseModel):
    detail: str


def checklist_body(acc: DeepInfraAccount) -> dict[str, object]:
    suspended = acc.status == DISABLED
    return {
        "stripe_balance": -acc.credit,
        "recent": acc.recent,
        "limit": acc.limit if acc.limit > 0 else None,
        "suspended": suspended,
        "suspend_reason": (acc.suspend_reason or "suspended") if suspended else None,
        "overdue_invoices": Decimal("0.0"),
        "billing_type": "balance",
        "topup": False,
        "billing_address_info": {"name": "Sandbox User", "country": "US"},
        "payment_method_info": {"type": "card", "last4": "4242"},
    }


def not_authenticated() -> Reply:
    return json_reply(401, {"detail": "Not authenticated"})


def checklist(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(
        state, site, headers, checklist_body, not_authenticated, serve_disabled=True
    )


RESPONSES = faulty(
    {
        200: {"model": Checklist, "description": "Billing checklist (amounts in USD)"},
        401: {"model": Detail, "description": "Missing or unknown API key"},
    }
)


class DeepInfraImitation(SimpleImitation):
    dialect = "deepinfra"
    title = "DeepInfra"
    account_model = AccountIn
    balance_model = AmountsIn
    bulk_model = AmountsIn
    account_type = DeepInfraAccount
    amounts = ("credit", "recent", "limit")
    units = STEPS
    key_prefix = "di-"

    def routes(self) -> tuple[Route, ...]:
        return (Route(PATH, checklist, "DeepInfra: billing checklist", RESPONSES),)


IMITATION = DeepInfraImitation()
