"""The sandbox ASGI app: every site under its own prefix, plus the admin API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel

from topup.sandbox import newapi, siliconflow
from topup.sandbox.admin import router as admin_router
from topup.sandbox.replies import Reply, finish, json_reply, spa_index
from topup.sandbox.state import Key, SandboxState, Site

FLUSH_SECONDS = 1.0


# ------------------------------------------------------------- documentation models
class SFUserData(BaseModel):
    id: str
    name: str
    image: str
    email: str
    isAdmin: bool
    balance: str
    status: str
    introduction: str
    role: str
    chargeBalance: str
    totalBalance: str


class SFUserInfo(BaseModel):
    code: int
    message: str
    status: bool
    data: SFUserData | None


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


class NotFound(BaseModel):
    detail: str


STRING = {"application/json": {"schema": {"type": "string"}}}
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
JSON_OR_HTML = {"application/json": {"schema": {}}, "text/html": {"schema": {"type": "string"}}}


def _faulty(extra: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """Statuses every balance route can answer under injected faults."""
    base: dict[int | str, dict[str, Any]] = {
        404: {"model": NotFound, "description": "Unknown site or wrong dialect"},
        410: {"description": "Gone (fault)", "content": HTML_PAGE},
        429: {"description": "Rate limited (fault)", "content": JSON_OR_HTML},
        503: {"description": "Overloaded (fault)", "content": HTML_PAGE},
        504: {"description": "Gateway timeout (fault)", "content": JSON_OR_HTML},
    }
    base.update(extra)
    return base


SF_RESPONSES = _faulty(
    {
        200: {"model": SFUserInfo, "description": "Documented envelope"},
        400: {"description": "BadRequest", "content": STRING},
        401: {"description": "Unauthorized", "content": STRING},
        404: {"description": "NotFound", "content": STRING},
        429: {"description": "RateLimit", "content": STRING},
        503: {"description": "Overloaded", "content": JSON_OR_HTML},
        504: {"description": "Timeout", "content": STRING},
    }
)
KEY_RESPONSES = _faulty(
    {401: {"model": OpenAIError, "description": "Invalid, exhausted or expired key"}}
)


def _not_found(what: str = "unknown site") -> Response:
    return json_reply(404, {"detail": what}).response()


def _sf_not_found() -> Response:
    return json_reply(404, "Not Found").response()


def create_app(state: SandboxState | None = None) -> FastAPI:
    """The sandbox app over ``state`` (a fresh in-memory state when None)."""
    st = state if state is not None else SandboxState()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def flusher() -> None:
            # Off the event loop: a flush may wait for the state lock (held by a bulk admin
            # call) and writes SQLite; requests must go on meanwhile. Nothing dirty: no work.
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                if st.has_dirty():
                    await asyncio.to_thread(st.flush)

        task = asyncio.create_task(flusher())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if st.has_dirty():
                await asyncio.to_thread(st.flush)

    app = FastAPI(
        title="topup sandbox",
        version="1.0.0",
        description=(
            "A faithful stand-in for the balance APIs of SiliconFlow and new-api/one-api "
            "relays, with faults on demand. Each site lives under its own path prefix."
        ),
        lifespan=lifespan,
    )
    app.state.sandbox = st
    app.include_router(admin_router)

    def site_of(name: str, dialect: str) -> Site | None:
        site = st.sites.get(name)
        if site is None or site.dialect != dialect:
            return None
        return site

    # ----------------------------------------------------------------- SiliconFlow
    @app.get(
        "/{site}/v1/user/info",
        tags=["siliconflow"],
        responses=SF_RESPONSES,
        response_class=Response,
        summary="SiliconFlow: user info and balance",
    )
    async def sf_user_info(
        site: str,
        authorization: str | None = Header(None),
    ) -> Response:
        s = site_of(site, "siliconflow")
        if s is None:
            return _sf_not_found()
        reply, acc = siliconflow.user_info(st, site, authorization)
        plan = st.plan(site, account=acc)
        if plan.failure is None and acc is not None:
            st.bump(acc)
        return await finish(plan, "siliconflow", reply)

    # ----------------------------------------------------------------- new-api
    @app.get(
        "/{site}/api/status",
        tags=["new-api"],
        responses=_faulty({200: {"model": StatusOut, "description": "Public site settings"}}),
        response_class=Response,
        summary="new-api/one-api: public status (quota_per_unit, display)",
    )
    async def na_status(site: str) -> Response:
        s = site_of(site, "newapi")
        if s is None:
            return _not_found()
        return await finish(st.plan(site), "newapi", json_reply(200, newapi.status_body(s)))

    @app.get(
        "/{site}/api/user/self",
        tags=["new-api"],
        responses=_faulty(
            {
                200: {"model": UserSelf, "description": "The user, or success:false"},
                401: {"model": Failure, "description": "Missing token or user header"},
            }
        ),
        response_class=Response,
        summary="new-api/one-api: the account behind an access token",
    )
    async def na_user_self(
        site: str,
        request: Request,
        authorization: str | None = Header(None),
        new_api_user: str | None = Header(None, alias="New-Api-User"),
        x_api_user: str | None = Header(None, alias="X-Api-User"),
    ) -> Response:
        s = site_of(site, "newapi")
        if s is None:
            return _not_found()
        reply, acc = newapi.user_self(st, s, request.headers)
        plan = st.plan(site, account=acc)
        if plan.failure is None and acc is not None and reply.status == 200:
            st.bump(acc)
        return await finish(plan, "newapi", reply)

    async def key_route(site: str, authorization: str | None, which: str) -> Response:
        s = site_of(site, "newapi")
        if s is None:
            return _not_found()
        if which == "usage_token" and not s.has_token_usage:
            return await finish(st.plan(site), "newapi", spa_index())
        key, error = newapi.find_key(st, s, authorization)
        plan = st.plan(site, key=key)
        reply: Reply
        if error is not None:
            reply = error
        else:
            assert key is not None
            reply = _key_reply(st, s, key, which)
        return await finish(plan, "newapi", reply)

    @app.get(
        "/{site}/api/usage/token/",
        tags=["new-api"],
        responses=_faulty(
            {
                200: {
                    "description": "Key usage in raw quota, or one-api's web page",
                    "content": {
                        "application/json": {"schema": TokenUsage.model_json_schema()},
                        "text/html": {"schema": {"type": "string"}},
                    },
                },
                401: {"model": OpenAIError, "description": "Invalid, exhausted or expired key"},
            }
        ),
        response_class=Response,
        summary="new-api: usage of the sk- key in Authorization",
    )
    async def na_token_usage(site: str, authorization: str | None = Header(None)) -> Response:
        return await key_route(site, authorization, "usage_token")

    @app.get(
        "/{site}/v1/dashboard/billing/subscription",
        tags=["new-api"],
        responses=_faulty(
            {200: {"model": Subscription, "description": "OpenAI-style limit"}, **KEY_RESPONSES}
        ),
        response_class=Response,
        summary="OpenAI-style billing subscription of an sk- key",
    )
    async def na_subscription(site: str, authorization: str | None = Header(None)) -> Response:
        return await key_route(site, authorization, "subscription")

    @app.get(
        "/{site}/v1/dashboard/billing/usage",
        tags=["new-api"],
        responses=_faulty(
            {200: {"model": Usage, "description": "Usage in cents"}, **KEY_RESPONSES}
        ),
        response_class=Response,
        summary="OpenAI-style billing usage (cents) of an sk- key",
    )
    async def na_usage(site: str, authorization: str | None = Header(None)) -> Response:
        return await key_route(site, authorization, "usage")

    return app


def _key_reply(st: SandboxState, site: Site, key: Key, which: str) -> Reply:
    if which == "usage_token":
        return newapi.token_usage(st, key)
    if which == "subscription":
        return newapi.subscription(st, site, key)
    return newapi.usage(st, site, key)
