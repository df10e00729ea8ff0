"""Vercel AI Gateway in the sandbox: ``GET /v1/credits`` as documented (amounts as decimal
strings), its 401 body, and their OpenAPI documentation."""

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


class Credits(BaseModel):
    balance: str
    total_used: str


class ErrorBody(BaseModel):
    """``{"error": {"message", "type"}}`` (documented loosely: other gateways share the path)."""

    error: dict[str, Any]


def error(status: int, message: str, kind: str) -> Reply:
    return json_reply(status, {"error": {"message": message, "type": kind}})


def refused() -> Reply:
    return error(401, "Invalid API key", "authentication_error")


def not_found() -> Reply:
    return error(404, "Not Found", "not_found")


def credits_body(acc: PrepaidAccount) -> dict[str, str]:
    return {"balance": format(acc.balance, "f"), "total_used": format(acc.used, "f")}


def credits(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, credits_body, refused)


RESPONSES: dict[int | str, dict[str, Any]] = faulty(
    {
        200: {"model": Credits, "description": "Team credit balance and lifetime spend"},
        401: {"model": ErrorBody, "description": "Missing or invalid API key"},
        404: {"model": ErrorBody, "description": "Unknown site"},
    }
)

ROUTES: tuple[Route, ...] = (
    Route("/v1/credits", credits, "Vercel AI Gateway: credits", RESPONSES, not_found=not_found),
)
