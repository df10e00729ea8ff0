"""The new-api / one-api endpoints the sandbox serves under a site's prefix, with their
OpenAPI documentation (the seed documents' shapes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.platforms.newapi import answers
from topup.sandbox.imitation import Answer, Route
from topup.sandbox.openapi import faulty
from topup.sandbox.records import Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.sandbox.state import SandboxState


class Failure(BaseModel):
    success: bool
    message: str
    code: str | None = None


class UserSelf(BaseModel):
    data: dict[str, Any] | None = None
    message: str
    success: bool
    code: str | None = None


class StatusData(BaseModel):
    quota_per_unit: int
    display_in_currency: bool
    quota_display_type: str | None = None
    usd_exchange_rate: float | None = None


class StatusOut(BaseModel):
    success: bool
    message: str
    data: StatusData | None = None


class TokenUsageData(BaseModel):
    object: str
    name: str
    total_granted: int
    total_used: int
    total_available: int
    unlimited_quota: bool
    model_limits: dict[str, Any]
    model_limits_enabled: bool
    expires_at: int


class TokenUsage(BaseModel):
    code: bool
    message: str
    data: TokenUsageData


class OpenAIErrorBody(BaseModel):
    message: str
    type: str


class OpenAIError(BaseModel):
    error: OpenAIErrorBody


class Subscription(BaseModel):
    object: str
    has_payment_method: bool
    soft_limit_usd: float
    hard_limit_usd: float
    system_hard_limit_usd: float
    access_until: int


class Usage(BaseModel):
    object: str
    total_usage: float


class CreditsData(BaseModel):
    total_usage: float


class Credits(BaseModel):
    data: CreditsData


#: 404: ``{"detail"}`` for an unknown site, ``{"error": {...}}`` (Invalid URL) for a missing route.
MISSING_ROUTE: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "Unknown site, or the site lacks this route (Invalid URL)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


KEY_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": OpenAIError, "description": "Invalid, exhausted or expired key"}
}


def not_found() -> Reply:
    return json_reply(404, {"detail": "unknown site"})


def status(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return Answer(json_reply(200, answers.status_body(site)))


def user_self(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    reply, acc = answers.user_self(state, site, headers)
    return Answer(reply, acc, count=acc is not None and reply.status == 200)


_PATHS = {
    "subscription": "/v1/dashboard/billing/subscription",
    "usage": "/v1/dashboard/billing/usage",
    "credits": "/v1/credits",
}


def _key_answer(state: SandboxState, site: Site, headers: Mapping[str, str], which: str) -> Answer:
    if which == "usage_token" and not site.has_token_usage:
        return Answer(answers.spa_index())
    if (which in ("subscription", "usage") and not site.billing) or (
        which == "credits" and not site.credits
    ):
        return Answer(answers.invalid_url(_PATHS[which]))
    key, error = answers.find_key(state, site, headers.get("authorization"))
    if error is not None:
        return Answer(error, key)
    assert key is not None
    if which == "usage_token":
        return Answer(answers.token_usage(state, key), key)
    if which == "subscription":
        return Answer(answers.subscription(state, site, key), key)
    if which == "credits":
        return Answer(answers.credits(state, site, key), key)
    return Answer(answers.usage(state, site, key), key)


def token_usage(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return _key_answer(state, site, headers, "usage_token")


def subscription(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return _key_answer(state, site, headers, "subscription")


def usage(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return _key_answer(state, site, headers, "usage")


def credits(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return _key_answer(state, site, headers, "credits")


ROUTES: tuple[Route, ...] = (
    Route(
        "/api/status",
        status,
        "new-api/one-api: public status (quota_per_unit, display)",
        faulty({200: {"model": StatusOut, "description": "Public site settings"}}),
        headers=(),
        not_found=not_found,
    ),
    Route(
        "/api/user/self",
        user_self,
        "new-api/one-api: the account behind an access token",
        faulty(
            {
                200: {"model": UserSelf, "description": "The user, or success:false"},
                401: {"model": Failure, "description": "Missing token or user header"},
            }
        ),
        headers=("Authorization", "New-Api-User", "X-Api-User"),
        not_found=not_found,
    ),
    Route(
        "/api/usage/token/",
        token_usage,
        "new-api: usage of the sk- key in Authorization",
        faulty(
            {
                200: {
                    "description": "Key usage in raw quota, or one-api's web page",
                    "content": {
                        "application/json": {"schema": TokenUsage.model_json_schema()},
                        "text/html": {"schema": {"type": "string"}},
                    },
                },
                **KEY_RESPONSES,
            }
        ),
        not_found=not_found,
    ),
    Route(
        "/v1/dashboard/billing/subscription",
        subscription,
        "OpenAI-style billing subscription of an sk- key",
        faulty(
            {
                200: {"model": Subscription, "description": "OpenAI-style limit"},
                **KEY_RESPONSES,
                **MISSING_ROUTE,
            }
        ),
        not_found=not_found,
    ),
    Route(
        "/v1/dashboard/billing/usage",
        usage,
        "OpenAI-style billing usage (cents) of an sk- key",
        faulty(
            {
                200: {"model": Usage, "description": "Usage in cents"},
                **KEY_RESPONSES,
                **MISSING_ROUTE,
            }
        ),
        not_found=not_found,
    ),
    Route(
        "/v1/credits",
        credits,
        "some new-api versions: what REMAINS of an sk- key, in the display unit",
        faulty(
            {
                200: {"model": Credits, "description": "data.total_usage is what remains"},
                **KEY_RESPONSES,
                **MISSING_ROUTE,
            }
        ),
        not_found=not_found,
    ),
)
