"""Answers as plain data, and how a fault turns a normal answer into a failure."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from topup.sandbox.faults import NGINX_410, NGINX_503, NGINX_504, Fault, FaultKind, FaultPlan
from topup.sandbox.money import dumps
from topup.sandbox.rawio import EndlessResponse, ResetResponse

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    media_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        return Response(
            content=self.body,
            status_code=self.status,
            media_type=self.media_type,
            headers=self.headers or None,
        )


def json_reply(status: int, obj: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body=dumps(obj), headers=headers or {})


def html_reply(status: int, text: str) -> Reply:
    return Reply(status=status, body=text.encode("utf-8"), media_type=HTML)


SPA_INDEX = (
    '<!doctype html><html lang="zh"><head><meta charset="utf-8"/>'
    '<meta name="viewport" content="width=device-width,initial-scale=1"/>'
    "<title>One API</title>"
    '<script defer="defer" src="/static/js/main.4f7c1e2a.js"></script>'
    '<link href="/static/css/main.8a3b2c1d.css" rel="stylesheet"></head>'
    "<body><noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div></body></html>'
)


def spa_index() -> Reply:
    """What one-api answers for a route it does not have: its web app's index page."""
    return html_reply(200, SPA_INDEX)


def failure_reply(fault: Fault, dialect: str, normal: Reply | None) -> Reply | Response:
    """The answer a failure fault produces (``normal`` is needed for truncated_json)."""
    kind = fault.kind
    sf = dialect == "siliconflow"
    if kind is FaultKind.RATE_LIMIT:
        headers = {"Retry-After": str(fault.retry_after)}
        if sf:
            return json_reply(429, fault.message or "Too Many Requests", headers)
        body = {"success": False, "message": fault.message or "您的请求过于频繁,请稍后再试"}
        return json_reply(429, body, headers)
    if kind is FaultKind.HTML_503:
        return html_reply(503, NGINX_503)
    if kind is FaultKind.GATEWAY_TIMEOUT:
        if sf:
            return json_reply(504, fault.message or "Gateway Timeout")
        return html_reply(504, NGINX_504)
    if kind is FaultKind.GONE:
        return html_reply(410, NGINX_410)
    if kind is FaultKind.SUCCESS_FALSE:
        message = fault.message or ("System error" if sf else "系统繁忙,请稍后再试")
        if sf:
            return json_reply(
                200, {"code": 50000, "message": message, "status": False, "data": None}
            )
        return json_reply(200, {"success": False, "message": message})
    if kind is FaultKind.TRUNCATED_JSON:
        base = normal or json_reply(200, {"success": True, "message": "", "data": None})
        cut = max(1, len(base.body) // 2)
        return Reply(status=base.status, body=base.body[:cut], media_type=base.media_type)
    if kind is FaultKind.CONNECTION_RESET:
        return ResetResponse()
    if kind is FaultKind.ENDLESS_BODY:
        return EndlessResponse(interval=fault.interval_ms / 1000)
    raise AssertionError(f"not a failure fault: {kind}")  # pragma: no cover


async def finish(plan: FaultPlan, dialect: str, normal: Reply) -> Response:
    """Sleep the plan's latency, then answer normally or with its failure."""
    if plan.latency_ms:
        await asyncio.sleep(plan.latency_ms / 1000)
    if plan.failure is None:
        return normal.response()
    out = failure_reply(plan.failure, dialect, normal)
    return out.response() if isinstance(out, Reply) else out
