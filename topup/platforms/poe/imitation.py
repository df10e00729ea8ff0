"""Poe in the sandbox: ``GET /usage/current_balance`` answering an account's point balance.

Points are whole numbers and never fall below zero (Poe refuses the calls instead: HTTP 402 on
the inference endpoints, while the balance reads 0). A disabled record answers 403, an unknown
key 401, both with Poe's error envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field

from topup.platforms.poe.client import PATH
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Answer, Route, Status, bearer_answer
from topup.sandbox.openapi import faulty
from topup.sandbox.records import MAX_QUOTA, Record, Site
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import RequestCount, SecretText, SimpleImitation

Points = Annotated[int, Field(ge=0, lt=MAX_QUOTA)]


@dataclass(slots=True)
class PoeUser(Record):
    """A Poe account: its points (plan plus add-on)."""

    points: int = 0

    def take(self, units: int) -> None:
        self.points = max(0, self.points - units)


class AccountIn(AdminIn):
    token: SecretText | None = None
    points: Points = 0
    status: Status = 1
    request_count: RequestCount = 0


class PointsIn(AdminIn):
    points: Points | None = None


class PoeBalance(BaseModel):
    current_point_balance: int


class PoeErrorDetail(BaseModel):
    message: str
    type: str
    code: str | None = None


class PoeError(BaseModel):
    error: PoeErrorDetail


def error(status: int, message: str, kind: str, code: str | None) -> Reply:
    return json_reply(status, {"error": {"message": message, "type": kind, "code": code}})


def invalid_key() -> Reply:
    return error(401, "Invalid API key provided", "invalid_request_error", "invalid_api_key")


def not_allowed() -> Reply:
    return error(403, "This API key is not allowed to read usage", "permission_error", None)


def current_balance(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(
        state,
        site,
        headers,
        lambda now: {"current_point_balance": now.points},
        invalid_key,
        disabled=not_allowed,
    )


RESPONSES = faulty(
    {
        200: {"model": PoeBalance, "description": "The current point balance"},
        401: {"model": PoeError, "description": "Invalid API key"},
        403: {"model": PoeError, "description": "Valid key without the permission"},
        429: {"model": PoeError, "description": "Rate limited (fault)"},
    }
)


class PoeImitation(SimpleImitation):
    dialect = "poe"
    title = "Poe"
    account_model = AccountIn
    balance_model = PointsIn
    bulk_model = PointsIn
    account_type = PoeUser
    amounts = ("points",)
    units = 1
    key_prefix = "poe-"

    def routes(self) -> tuple[Route, ...]:
        return (Route(PATH, current_balance, "Poe: current point balance", RESPONSES),)

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            reply = error(429, fault.message or "Rate limit exceeded", "rate_limit_error", None)
            reply.headers["Retry-After"] = str(fault.retry_after)
            return reply
        if fault.kind is FaultKind.SUCCESS_FALSE:
            message = fault.message or "Internal server error"
            return json_reply(200, {"error": {"message": message, "type": "server_error"}})
        return None


IMITATION = PoeImitation()
