"""The sandbox ASGI app: every registered platform's routes under each site's prefix, plus the
admin API. A request is answered by the imitation of the site's own platform; a path that
platform does not serve is its 404."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from enum import Enum
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from topup.sandbox.admin import router as admin_router
from topup.sandbox.imitation import Imitation, Route, imitations
from topup.sandbox.replies import finish, json_reply
from topup.sandbox.state import SandboxState

FLUSH_SECONDS = 1.0


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

    found = imitations()
    app = FastAPI(
        title="topup sandbox",
        version="1.0.0",
        description=(
            "A faithful stand-in for the balance APIs of "
            + ", ".join(i.title for i in found.values())
            + ", with faults on demand. Each site lives under its own path prefix."
        ),
        lifespan=lifespan,
    )
    app.state.sandbox = st
    app.include_router(admin_router)
    served: dict[tuple[str, str], dict[str, tuple[Imitation, Route]]] = {}
    for imitation in found.values():
        for route in imitation.routes():
            served.setdefault((route.method, route.path), {})[imitation.dialect] = (
                imitation,
                route,
            )
    for (method, path), by_dialect in served.items():
        _mount(app, st, method, path, by_dialect)
    return app


def _mount(
    app: FastAPI,
    st: SandboxState,
    method: str,
    path: str,
    by_dialect: dict[str, tuple[Imitation, Route]],
) -> None:
    """One endpoint for every platform that serves ``path``; the site's platform answers."""
    _, first = next(iter(by_dialect.values()))

    async def endpoint(site: str, request: Request) -> Response:
        s = st.sites.get(site)
        served = by_dialect.get(s.dialect) if s is not None else None
        if s is None or served is None:
            reply = (
                first.not_found() if first.not_found else json_reply(404, {"detail": "Not Found"})
            )
            return reply.response()
        imitation, route = served
        answer = route.answer(st, s, request.headers)
        plan = st.plan(site, answer.record)
        if plan.failure is None and answer.count and answer.record is not None:
            st.bump(answer.record)
        return await finish(plan, imitation, answer.reply)

    responses = merged_responses([r.responses for _, r in by_dialect.values()])
    headers = dict.fromkeys(h for _, r in by_dialect.values() for h in r.headers)
    app.add_api_route(
        "/{site}" + path,
        endpoint,
        methods=[method],
        tags=list[str | Enum](sorted(by_dialect)),
        summary=" / ".join(r.summary for _, r in by_dialect.values()),
        responses=responses,
        response_class=Response,
        openapi_extra={
            "parameters": [
                {"name": h, "in": "header", "required": False, "schema": {"type": "string"}}
                for h in headers
            ]
        }
        if headers
        else None,
    )


def merged_responses(
    documented: list[Mapping[int | str, dict[str, Any]]],
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of a path several platforms serve: per status, one platform's
    answer, or any of theirs (a union of their models; any JSON where one has no model)."""
    out: dict[int | str, dict[str, Any]] = {}
    for responses in documented:
        for status, spec in responses.items():
            seen = out.get(status)
            if seen is None or seen == spec:
                out[status] = dict(spec)
                continue
            description = " / ".join(dict.fromkeys([seen["description"], spec["description"]]))
            if "model" in seen and "model" in spec:
                union = seen["model"] | spec["model"]
                out[status] = {"model": union, "description": description}
            else:
                out[status] = {"description": description, "content": _ANY_CONTENT}
    return out


_ANY_CONTENT = {"application/json": {"schema": {}}, "text/html": {"schema": {"type": "string"}}}
