"""Venice in the sandbox: ``GET /api/v1/billing/balance`` as documented (JSON numbers), its
``{"error": "Authentication failed"}`` refusal and their OpenAPI documentation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.imitation import Answer, Route, bearer_answer
from topup.sandbox.openapi import faulty
from topup.sandbox.records import Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.platforms.venice.imitation import VeniceAccount
    from topup.sandbox.state import SandboxState


class Balances(BaseModel):
    diem: float
    usd: float


class BillingBalance(BaseModel):
    canConsume: bool
    consumptionCurrency: str | None
    balances: Balances
    diemEpochAllocation: float


class StandardError(BaseModel):
    error: str


def refused() -> Reply:
    return json_reply(401, {"error": "Authentication failed"})


def not_found() -> Reply:
    return json_reply(404, {"error": "Not Found"})


def balance_body(acc: VeniceAccount) -> dict[str, Any]:
    return {
        "canConsume": acc.can_consume,
        "consumptionCurrency": acc.consumption_currency,
        "balances": {"diem": acc.diem, "usd": acc.usd},
        "diemEpochAllocation": acc.diem_allocation,
    }


def billing_balance(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, balance_body, refused)


ROUTES: tuple[Route, ...] = (
    Route(
        "/api/v1/billing/balance",
        billing_balance,
        "Venice: USD and DIEM balances (ADMIN key)",
        faulty(
            {
                200: {"model": BillingBalance, "description": "Balances and canConsume"},
                401: {"model": StandardError, "description": "Unknown key, or not an ADMIN key"},
                404: {"model": StandardError, "description": "Unknown site"},
            }
        ),
        not_found=not_found,
    ),
)
