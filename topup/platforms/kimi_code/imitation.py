"""Kimi Code in the sandbox: ``GET /coding/v1/usages`` as the live service answers it (counts as
strings, ``used`` left out when zero, ISO reset times with microseconds), with its OpenAPI
documentation. Records and spending are the shared coding plan (:mod:`.plans`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import Answer, Route, bearer_answer
from topup.sandbox.openapi import JSON_OR_HTML, faulty
from topup.sandbox.plans import (
    FIVE_HOURS,
    WEEK,
    PlanAccount,
    PlanImitation,
    unknown_site,
)
from topup.sandbox.records import Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.sandbox.state import SandboxState


class KimiDetail(BaseModel):
    limit: str
    used: str | None = None
    remaining: str
    resetTime: str


class KimiWindow(BaseModel):
    duration: int
    timeUnit: str


class KimiLimit(BaseModel):
    window: KimiWindow
    detail: KimiDetail


class KimiUsages(BaseModel):
    user: dict[str, Any]
    usage: KimiDetail
    limits: list[KimiLimit]
    parallel: dict[str, str]
    totalQuota: dict[str, Any]
    subType: str


class KimiErrorBody(BaseModel):
    message: str
    type: str


class KimiError(BaseModel):
    error: KimiErrorBody


def _time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _detail(limit: int, used: int, resets: datetime) -> dict[str, str]:
    detail = {"limit": str(limit), "used": str(used), "remaining": str(max(0, limit - used))}
    if used == 0:
        del detail["used"]  # the live service omits zero counts
    return {**detail, "resetTime": _time(resets)}


def usages_body(plan: PlanAccount, now: int) -> dict[str, Any]:
    return {
        "user": {
            "userId": f"u{plan.id}",
            "region": "REGION_CN",
            "membership": {"level": "LEVEL_INTERMEDIATE"},
        },
        "usage": _detail(plan.limit_weekly, plan.used_weekly, plan.resets_at(now, WEEK)),
        "limits": [
            {
                "window": {"duration": 300, "timeUnit": "TIME_UNIT_MINUTE"},
                "detail": _detail(plan.limit_5h, plan.used_5h, plan.resets_at(now, FIVE_HOURS)),
            }
        ],
        "parallel": {"limit": "30"},
        "totalQuota": {},
        "subType": "TYPE_PURCHASE",
    }


def invalid_key() -> Reply:
    error = {
        "message": "The API Key appears to be invalid or may have expired",
        "type": "invalid_authentication_error",
    }
    return json_reply(401, {"error": error})


def usages(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(
        state, site, headers, lambda view: usages_body(view, state.now_ts()), invalid_key
    )


RESPONSES = faulty(
    {
        200: {"model": KimiUsages, "description": "The plan's weekly and 5-hour windows"},
        401: {"model": KimiError, "description": "Invalid or expired key"},
        429: {"description": "Rate limited (fault)", "content": JSON_OR_HTML},
    }
)


class KimiCodeImitation(PlanImitation):
    dialect = "kimi-code"
    title = "Kimi Code"
    key_prefix = "sk-kimi-"

    def routes(self) -> tuple[Route, ...]:
        return (
            Route(
                "/coding/v1/usages",
                usages,
                "Kimi Code: the coding plan's usage windows",
                RESPONSES,
                not_found=unknown_site,
            ),
        )

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            error = {"message": fault.message or "rate limit reached", "type": "rate_limit_error"}
            return json_reply(429, {"error": error}, {"Retry-After": str(fault.retry_after)})
        return None


IMITATION = KimiCodeImitation()
