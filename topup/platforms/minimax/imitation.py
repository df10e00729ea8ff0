"""MiniMax's Coding Plan in the sandbox: ``GET /v1/api/openplatform/coding_plan/remains`` as the
live service answers it since about 2026-06 (counts 0, remaining percentages; a ``video`` family
beside ``general``), or with the older counts (``counts``: ``*_usage_count`` is what is LEFT),
and every failure under HTTP 200 in ``base_resp``. Records and spending are the shared plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import Answer, Route, bearer_answer
from topup.sandbox.openapi import faulty
from topup.sandbox.plans import (
    FIVE_HOURS,
    WEEK,
    PlanAccount,
    PlanImitation,
    PlanIn,
    unknown_site,
)
from topup.sandbox.records import Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.sandbox.state import SandboxState


@dataclass(slots=True)
class MiniMaxPlan(PlanAccount):
    """A coding plan whose answers carry counts (the older shape) or only percentages."""

    counts: bool = False


class MiniMaxPlanIn(PlanIn):
    counts: bool = False


class BaseResp(BaseModel):
    status_code: int
    status_msg: str


class ModelRemain(BaseModel):
    model_name: str
    start_time: int
    end_time: int
    remains_time: int
    current_interval_total_count: int
    current_interval_usage_count: int
    current_weekly_total_count: int
    current_weekly_usage_count: int
    weekly_start_time: int
    weekly_end_time: int
    weekly_remains_time: int
    current_interval_status: int | None = None
    current_interval_remaining_percent: int | None = None
    current_weekly_status: int | None = None
    current_weekly_remaining_percent: int | None = None


class Remains(BaseModel):
    model_remains: list[ModelRemain]
    base_resp: BaseResp


def _left_percent(limit: int, used: int) -> int:
    if limit <= 0:
        return 0
    left = Decimal(max(0, limit - used)) * 100 / limit
    return int(left.to_integral_value(rounding=ROUND_HALF_UP))


def _family(
    name: str, plan: MiniMaxPlan, now: int, used: tuple[int, int], limit: tuple[int, int]
) -> dict[str, Any]:
    five_end, week_end = plan.next_reset(now, FIVE_HOURS), plan.next_reset(now, WEEK)
    entry: dict[str, Any] = {
        "model_name": name,
        "start_time": (five_end - FIVE_HOURS) * 1000,
        "end_time": five_end * 1000,
        "remains_time": (five_end - now) * 1000,
        "current_interval_total_count": limit[0] if plan.counts else 0,
        "current_interval_usage_count": max(0, limit[0] - used[0]) if plan.counts else 0,
        "current_weekly_total_count": limit[1] if plan.counts else 0,
        "current_weekly_usage_count": max(0, limit[1] - used[1]) if plan.counts else 0,
        "weekly_start_time": (week_end - WEEK) * 1000,
        "weekly_end_time": week_end * 1000,
        "weekly_remains_time": (week_end - now) * 1000,
    }
    if not plan.counts:
        entry.update(
            {
                "current_interval_status": 1,
                "current_interval_remaining_percent": _left_percent(limit[0], used[0]),
                "current_weekly_status": 1,
                "current_weekly_remaining_percent": _left_percent(limit[1], used[1]),
            }
        )
    return entry


def remains_body(plan: MiniMaxPlan, now: int) -> dict[str, Any]:
    general = _family(
        "general",
        plan,
        now,
        (plan.used_5h, plan.used_weekly),
        (plan.limit_5h, plan.limit_weekly),
    )
    families = [general]
    if not plan.counts:
        families.append(_family("video", plan, now, (0, 0), (1, 1)))
    return {"model_remains": families, "base_resp": {"status_code": 0, "status_msg": "success"}}


def refusal(code: int, msg: str) -> Reply:
    return json_reply(
        200, {"model_remains": [], "base_resp": {"status_code": code, "status_msg": msg}}
    )


def no_plan(plan: MiniMaxPlan) -> Reply | None:
    return None if plan.plan else refusal(2062, "no active token plan subscription")


def remains(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(
        state,
        site,
        headers,
        lambda view: remains_body(view, state.now_ts()),
        lambda: refusal(1004, "login fail"),
        check=no_plan,
    )


RESPONSES = faulty(
    {200: {"model": Remains, "description": "The plan's windows, or a base_resp failure"}}
)


class MiniMaxImitation(PlanImitation):
    dialect = "minimax"
    title = "MiniMax Coding Plan"
    key_prefix = "sk-cp-"
    account_model = MiniMaxPlanIn
    account_type = MiniMaxPlan

    def current(self, record: Any) -> dict[str, Any]:
        return {**PlanImitation.current(self, record), "counts": record.counts}

    def routes(self) -> tuple[Route, ...]:
        return (
            Route(
                "/v1/api/openplatform/coding_plan/remains",
                remains,
                "MiniMax: the coding plan's remaining 5h and weekly quota",
                RESPONSES,
                not_found=unknown_site,
            ),
        )

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            return refusal(1002, fault.message or "rate limit exceeded(RPM)")
        if fault.kind is FaultKind.SUCCESS_FALSE:
            return refusal(1000, fault.message or "unknown error")
        return None


IMITATION = MiniMaxImitation()
