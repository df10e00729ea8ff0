"""The application factory: pages, JSON API, ``/metrics``, static assets, the request guard
(Host and same-origin checks) and the token check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from topup.account import Account
from topup.storage import StorageError, StorageUnavailable, Store
from topup.web import api, errors, pages
from topup.web.api import CheckNow
from topup.web.auth import RequestGuard, TokenAuth
from topup.web.documents import Documents
from topup.web.metrics import CONTENT_TYPE, Metrics
from topup.web.views import Board

STATIC = Path(__file__).parent / "static"


def create_app(
    *,
    store: Store,
    accounts: Sequence[Account],
    check_now: CheckNow,
    token: str | None = None,
    clock: Callable[[], datetime] | None = None,
    stale_after: timedelta | None = None,
    allowed_hosts: Iterable[str] = (),
    lang: str | None = None,  # [ui] lang: the pages' language unless the request chooses
) -> FastAPI:
    """The web app over ``store`` for the configured ``accounts``.

    ``check_now(names)`` checks the named accounts (``None``: all) now, records them and
    returns the results (``POST /api/check`` and the Check now button). With ``token`` every
    request needs it (``Authorization: Bearer``, the cookie, or ``?token=`` once). Requests
    naming another ``Host`` than an IP address, ``localhost`` or one of ``allowed_hosts`` (see
    :func:`topup.web.auth.allowed_hosts`), and cross-site state-changing requests, are refused
    (:class:`~topup.web.auth.RequestGuard`). ``clock`` and ``stale_after`` are for tests and
    tuning (default: 3 check intervals, else 2 hours).
    """
    board = Board(store, accounts, clock=clock, stale_after=stale_after)
    documents = Documents(board)
    metrics = Metrics(board, documents)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The stored checks, counted once before the first scrape (after the first page).
        metrics.counts.start(after=board.first_served)
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="topup",
        summary="Balances, runway and health of LLM API accounts",
        version="1",
        docs_url=None,  # Swagger UI loads from a CDN; the document is at /openapi.json
        redoc_url=None,
    )
    app.state.board = board
    app.state.documents = documents
    app.state.lang = lang  # read by topup.web.pages and the login form

    errors.install(app)  # a browser gets an error page in its language, scripts the JSON

    @app.exception_handler(StorageUnavailable)
    async def unavailable(request: Request, exc: StorageUnavailable) -> Response:
        detail = "history database unavailable"
        return errors.storage_answer(request, 503, detail, errors.STORAGE_UNAVAILABLE)

    @app.exception_handler(StorageError)
    async def storage_error(request: Request, exc: StorageError) -> Response:
        return errors.storage_answer(request, 500, "history database error", errors.STORAGE_ERROR)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/metrics", include_in_schema=False)
    def metrics_route() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    app.include_router(api.router(board, check_now, documents))
    app.include_router(pages.router(board, documents))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if token is not None:
        app.add_middleware(TokenAuth, token=token)
    app.add_middleware(RequestGuard, allowed_hosts=tuple(allowed_hosts))  # outermost: first
    return app
