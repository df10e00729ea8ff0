"""AIProxy in the sandbox: ``GET /api/report/getUserOverview`` with the key in ``Api-Key``.

Every answer is HTTP 200 with the ``success`` envelope; an unknown key or a disabled account is
``success: false`` with a message and an ``error_code``. Points move in 0.01 steps and stop at 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from topup.platforms.aiproxy.client import PATH
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Answer, Route, Status, lookup_answer
from topup.sandbox.openapi import faulty
from topup.sandbox.records import MAX_MONEY, Record, Site
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
    status: Status = 1
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


def overview_body(now: AIProxyUser) -> dict[str, Any]:
    return {"success": True, "message": "", "error_code": 0, "data": {"totalPoints": now.points}}


def overview(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    return lookup_answer(
        state,
        site,
        (headers.get("api-key") or "").strip(),
        overview_body,
        lambda: refused("Invalid API Key", 401),
        disabled=lambda: refused("User is disabled", 403),
    )


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
    key_prefix = "ap-"

    def routes(self) -> tuple[Route, ...]:
        return (Route(PATH, overview, "AIProxy: user overview (points)", RESPONSES, ("Api-Key",)),)

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.SUCCESS_FALSE:
            return refused(fault.message or "system error", 500)
        return None


IMITATION = AIProxyImitation()
