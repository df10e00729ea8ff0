"""Answers as plain data, and how a fault turns a normal answer into a failure."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from topup.sandbox.faults import NGINX_410, NGINX_503, NGINX_504, Fault, FaultKind, FaultPlan
from topup.sandbox.money import dumps
from topup.sandbox.rawio import EndlessResponse, ResetResponse

if TYPE_CHECKING:  # the imitation contract builds on these replies
    from topup.sandbox.imitation import Imitation

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


def failure_reply(fault: Fault, imitation: Imitation, normal: Reply | None) -> Reply | Response:
    """The answer a failure fault produces: the platform's own body where it has one, else
    the common shape (``normal`` is needed for truncated_json)."""
    kind = fault.kind
    if kind is FaultKind.CONNECTION_RESET:
        return ResetResponse()
    if kind is FaultKind.ENDLESS_BODY:
        return EndlessResponse(interval=fault.interval_ms / 1000)
    if kind is FaultKind.TRUNCATED_JSON:
        base = normal or json_reply(200, {"error": {"message": "internal error"}})
        cut = max(1, len(base.body) // 2)
        return Reply(status=base.status, body=base.body[:cut], media_type=base.media_type)
    own = imitation.failure(fault, normal)
    if own is not None:
        return own
    if kind is FaultKind.RATE_LIMIT:
        headers = {"Retry-After": str(fault.retry_after)}
        body = {"error": {"message": fault.message or "Too Many Requests", "type": "rate_limit"}}
        return json_reply(429, body, headers)
    if kind is FaultKind.HTML_503:
        return html_reply(503, NGINX_503)
    if kind is FaultKind.GATEWAY_TIMEOUT:
        return html_reply(504, NGINX_504)
    if kind is FaultKind.GONE:
        return html_reply(410, NGINX_410)
    if kind is FaultKind.SUCCESS_FALSE:
        return json_reply(200, {"error": {"message": fault.message or "internal error"}})
    raise AssertionError(f"not a failure fault: {kind}")  # pragma: no cover


async def finish(plan: FaultPlan, imitation: Imitation, normal: Reply) -> Response:
    """Sleep the plan's latency, then answer normally or with its failure."""
    if plan.latency_ms:
        await asyncio.sleep(plan.latency_ms / 1000)
    if plan.failure is None:
        return normal.response()
    out = failure_reply(plan.failure, imitation, normal)
    return out.response() if isinstance(out, Reply) else out
