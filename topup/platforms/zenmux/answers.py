"""ZenMux in the sandbox: ``GET /api/v1/management/payg/balance`` as documented (numbers,
``currency: "usd"``), its ``access_denied`` refusal and their OpenAPI documentation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.imitation import Answer, Route, bearer_answer
from topup.sandbox.openapi import faulty
from topup.sandbox.prepaid import PrepaidAccount
from topup.sandbox.records import Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.sandbox.state import SandboxState


class BalanceData(BaseModel):
    currency: str
    total_credits: float
    top_up_credits: float
    bonus_credits: float


class PaygBalance(BaseModel):
    success: bool
    data: BalanceData


class ErrorDetail(BaseModel):
    code: str
    type: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_body(status: int, kind: str, message: str) -> dict[str, Any]:
    return {"error": {"code": str(status), "type": kind, "message": message}}


def error(status: int, kind: str, message: str) -> Reply:
    return json_reply(status, error_body(status, kind, message))


def refused() -> Reply:
    return error(403, "access_denied", "You have no permission to access this resource")


def not_found() -> Reply:
    return error(404, "not_found", "Not Found")


def balance_body(acc: PrepaidAccount) -> dict[str, Any]:
    data = {
        "currency": "usd",
        "total_credits": acc.balance,
        "top_up_credits": acc.paid,
        "bonus_credits": acc.granted,
    }
    return {"success": True, "data": data}


def payg_balance(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, balance_body, refused)


ROUTES: tuple[Route, ...] = (
    Route(
        "/api/v1/management/payg/balance",
        payg_balance,
        "ZenMux: Pay-As-You-Go balance (management key)",
        faulty(
            {
                200: {"model": PaygBalance, "description": "Total, top-up and bonus credits, USD"},
                403: {"model": ErrorBody, "description": "Invalid key, or not a management key"},
                404: {"model": ErrorBody, "description": "Unknown site"},
                422: {"model": ErrorBody, "description": "Rate limit exceeded (fault)"},
            }
        ),
        not_found=not_found,
    ),
)
