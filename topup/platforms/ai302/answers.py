"""302.AI in the sandbox: ``GET /dashboard/balance`` (the balance as a decimal string), its
refusal and their OpenAPI documentation."""

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
    balance: str


class DashboardBalance(BaseModel):
    data: BalanceData


class ErrorBody(BaseModel):
    error: dict[str, Any]


def error(status: int, code: int, message: str) -> Reply:
    return json_reply(
        status, {"error": {"err_code": code, "message": message, "type": "api_error"}}
    )


def refused() -> Reply:
    return error(401, -10001, "Invalid API key, or a key without the balance permission")


def not_found() -> Reply:
    return error(404, -10004, "Not Found")


def balance_body(acc: PrepaidAccount) -> dict[str, Any]:
    return {"data": {"balance": format(acc.balance, "f")}}


def dashboard_balance(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, balance_body, refused)


ROUTES: tuple[Route, ...] = (
    Route(
        "/dashboard/balance",
        dashboard_balance,
        "302.AI: account balance, USD",
        faulty(
            {
                200: {"model": DashboardBalance, "description": "The balance, a decimal string"},
                401: {"model": ErrorBody, "description": "Unknown key or no balance permission"},
                404: {"model": ErrorBody, "description": "Unknown site"},
            }
        ),
        not_found=not_found,
    ),
)
