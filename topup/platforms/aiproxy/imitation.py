"""AIProxy in the sandbox: ``GET /api/report/getUserOverview`` with the key in ``Api-Key``.

Every answer is HTTP 200 with the ``success`` envelope; an unknown key or a disabled account is
``success: false`` with a message and an ``error_code``. Points move in 0.01 steps and stop at 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from topup.platforms.aiproxy.client import PATH
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Answer, Route
from topup.sandbox.openapi import faulty
from topup.sandbox.records import DISABLED, MAX_MONEY, Record, Site
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.simple import RequestCount, SecretText, SimpleImitation

STEPS = 100  # points move in 0.01 steps
Points = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]


@dataclass(slots=True)
class AIProxyUser(Record):
    """An AIProxy account: its points."""

    points: Decimal = Decimal(0)

    def take(self, units: int) -> None:
        self.points = max(Decimal(0), self.points - Decimal(units) / STEPS)


class AccountIn(AdminIn):
    token: SecretText | None = None
    points: Points = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: RequestCount = 0


class PointsIn(AdminIn):
    points: Points | None = None


class OverviewData(BaseModel):
    totalPoints: Decimal


class Overview(BaseModel):
    success: bool
    message: str
    error_code: int
    data: OverviewData | None


def refused(message: str, code: int) -> Reply:
    return json_reply(200, {"success": False, "message": message, "error_code": code, "data": None})


def overview(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    key = (headers.get("api-key") or "").strip()
    user = state.account_by_token(site.name, key) if key else None
    if user is None:
        return Answer(refused("Invalid API Key", 401))
    if user.status == DISABLED:
        return Answer(refused("User is disabled", 403), user)
    now = state.current(user)
    body = {"success": True, "message": "", "error_code": 0, "data": {"totalPoints": now.points}}
    return Answer(json_reply(200, body), user, count=True)


RESPONSES = faulty({200: {"model": Overview, "description": "The success envelope"}})


class AIProxyImitation(SimpleImitation):
    dialect = "aiproxy"
    title = "AIProxy"
    account_model = AccountIn
    balance_model = PointsIn
    bulk_model = PointsIn
    account_type = AIProxyUser
    amounts = ("points",)
    units = STEPS
    issued_prefix = "ap-"

    def routes(self) -> tuple[Route, ...]:
        return (Route(PATH, overview, "AIProxy: user overview (points)", RESPONSES, ("Api-Key",)),)

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.SUCCESS_FALSE:
            return refused(fault.message or "system error", 500)
        return None


IMITATION = AIProxyImitation()
