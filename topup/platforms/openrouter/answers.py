"""OpenRouter in the sandbox: ``GET /v1/credits`` (management keys; an ordinary key gets 403)
and ``GET /v1/key`` (the key's own limit and usage), amounts as JSON numbers, failures as
``{"error": {"code", "message"}}``, with their OpenAPI documentation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.imitation import Answer, Route, bearer
from topup.sandbox.openapi import faulty
from topup.sandbox.records import ENABLED, Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.platforms.openrouter.imitation import OpenRouterKey
    from topup.sandbox.state import SandboxState


class CreditsData(BaseModel):
    total_credits: float
    total_usage: float


class Credits(BaseModel):
    data: CreditsData


class KeyData(BaseModel):
    label: str
    limit: float | None
    limit_reset: str | None
    limit_remaining: float | None
    include_byok_in_limit: bool
    usage: float
    usage_daily: float
    usage_weekly: float
    usage_monthly: float
    byok_usage: float
    byok_usage_daily: float
    byok_usage_weekly: float
    byok_usage_monthly: float
    is_free_tier: bool
    is_management_key: bool


class KeyInfo(BaseModel):
    data: KeyData


class ErrorBody(BaseModel):
    """``{"error": {"code", "message"}}`` (documented loosely: other gateways share a path)."""

    error: dict[str, Any]


def error(code: int, message: str, *, status: int | None = None) -> Reply:
    return json_reply(
        code if status is None else status, {"error": {"code": code, "message": message}}
    )


def not_found() -> Reply:
    return error(404, "Not Found")


def no_credentials(token: str | None) -> Reply:
    return error(401, "No auth credentials found" if token is None else "User not found.")


def credits(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    token = bearer(headers.get("authorization"))
    acc = state.account_by_token(site.name, token) if token else None
    if acc is None:
        key = state.find_key(site.name, token) if token else None
        if key is not None and key.status == ENABLED:
            return Answer(error(403, "Only management keys can perform this operation"), key)
        return Answer(no_credentials(token), key)
    if acc.status != ENABLED:
        return Answer(no_credentials(token), acc)
    now = state.current(acc)
    body = {"data": {"total_credits": now.credits, "total_usage": now.usage}}
    return Answer(json_reply(200, body), acc, count=True)


def key_body(key: OpenRouterKey | None, label: str) -> dict[str, Any]:
    usage = {
        name: 0 if key is None else getattr(key, name)
        for name in ("usage", "usage_daily", "usage_weekly", "usage_monthly")
    }
    return {
        "data": {
            "label": label,
            "limit": None if key is None else key.limit,
            "limit_reset": None if key is None else key.limit_reset,
            "limit_remaining": None if key is None else key.limit_remaining,
            "include_byok_in_limit": False,
            **usage,
            **{f"byok_{name}": 0 for name in usage},
            "is_free_tier": False if key is None else key.is_free_tier,
            "is_management_key": key is None,
        }
    }


def key_info(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    token = bearer(headers.get("authorization"))
    key = state.find_key(site.name, token) if token else None
    if key is not None and key.status == ENABLED:
        return Answer(json_reply(200, key_body(state.current(key), key.label)), key, count=True)
    acc = state.account_by_token(site.name, token) if token else None
    if acc is not None and acc.status == ENABLED:  # a management key describes itself
        return Answer(json_reply(200, key_body(None, "management key")), acc, count=True)
    return Answer(no_credentials(token), key or acc)


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown key"},
    404: {"model": ErrorBody, "description": "Unknown site"},
}

ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/credits",
        credits,
        "OpenRouter: credits bought and used (management key)",
        faulty(
            {
                200: {"model": Credits, "description": "Total credits and usage, USD"},
                403: {"model": ErrorBody, "description": "Not a management key"},
                **ERRORS,
            }
        ),
        not_found=not_found,
    ),
    Route(
        "/v1/key",
        key_info,
        "OpenRouter: the current key's limit and usage",
        faulty(
            {200: {"model": KeyInfo, "description": "The key's limit, reset and usage"}, **ERRORS}
        ),
        not_found=not_found,
    ),
)
