"""Zhipu's GLM Coding Plan in the sandbox: ``GET /api/monitor/usage/quota/limit`` with the key
raw or as Bearer, the current ``CREDIT_LIMIT`` shape (5h and weekly windows plus the monthly
``TIME_LIMIT`` of MCP tools), and every failure under HTTP 200 ``success:false`` as the live host
answers it. Records and spending are the shared coding plan."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import Answer, Route, bearer, lookup_answer
from topup.sandbox.openapi import faulty
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

MONTH = 30 * 86400
MCP_CALLS = 100


class ZhipuLimit(BaseModel):
    type: str
    unit: int
    number: int
    usage: int
    currentValue: int
    remaining: int
    percentage: int
    nextResetTime: int


class ZhipuData(BaseModel):
    limits: list[ZhipuLimit]
    level: str


class ZhipuQuota(BaseModel):
    code: int
    msg: str
    data: ZhipuData | None = None
    success: bool


def _percent(used: int, limit: int) -> int:
    if limit <= 0:
        return 0
    return int((Decimal(used) * 100 / limit).to_integral_value(rounding=ROUND_HALF_UP))


def _limit(kind: str, unit: int, number: int, limit: int, used: int, resets: int) -> dict[str, Any]:
    return {
        "type": kind,
        "unit": unit,
        "number": number,
        "usage": limit,
        "currentValue": used,
        "remaining": max(0, limit - used),
        "percentage": _percent(used, limit),
        "nextResetTime": resets * 1000 + 999,
    }


def quota_body(plan: PlanAccount, now: int) -> dict[str, Any]:
    limits = [
        _limit("CREDIT_LIMIT", 3, 5, plan.limit_5h, plan.used_5h, plan.next_reset(now, FIVE_HOURS)),
        _limit(
            "CREDIT_LIMIT", 6, 1, plan.limit_weekly, plan.used_weekly, plan.next_reset(now, WEEK)
        ),
        _limit("TIME_LIMIT", 5, 1, MCP_CALLS, 0, plan.next_reset(now, MONTH)),
    ]
    data = {"limits": limits, "level": "lite"}
    return {"code": 200, "msg": "操作成功", "data": data, "success": True}


def refusal(code: int, msg: str) -> Reply:
    return json_reply(200, {"code": code, "msg": msg, "success": False})


def quota_limit(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    header = (headers.get("authorization") or "").strip()
    if not header:
        return Answer(refusal(1001, "Header中未收到Authorization参数"))
    return lookup_answer(
        state,
        site,
        bearer(header) or header,
        lambda view: quota_body(view, state.now_ts()),
        lambda: refusal(401, "令牌已过期或验证不正确"),
        check=no_plan,
    )


def no_plan(plan: PlanAccount) -> Reply | None:
    return None if plan.plan else refusal(500, "当前用户不存在coding plan")


RESPONSES = faulty(
    {200: {"model": ZhipuQuota, "description": "The plan's windows, or success:false"}}
)


class ZhipuImitation(PlanImitation):
    dialect = "zhipu"
    title = "Zhipu GLM Coding Plan"
    key_prefix = ""

    def routes(self) -> tuple[Route, ...]:
        return (
            Route(
                "/api/monitor/usage/quota/limit",
                quota_limit,
                "Zhipu: the GLM Coding Plan's quota windows",
                RESPONSES,
                not_found=unknown_site,
            ),
        )

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.SUCCESS_FALSE:
            return refusal(500, fault.message or "服务暂时不可用")
        return None


IMITATION = ZhipuImitation()
