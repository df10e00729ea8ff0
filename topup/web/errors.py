"""Error answers for people: a browser asking for a page (``Accept: text/html``, not under
``/api/`` nor ``/metrics``) gets an HTML page in its language (the status, what went wrong, a
link back); API clients and scripts keep the JSON ``{"detail": ...}``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from topup.i18n import N_

#: Paths answered for programs whatever they accept.
MACHINE_PREFIXES = ("/api/", "/metrics")

TITLES = {
    400: N_("Bad request"),
    401: N_("Not logged in"),
    403: N_("Refused"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    413: N_("Too large"),
    415: N_("Unsupported content"),
    422: N_("Invalid address"),
    500: N_("Server error"),
    503: N_("Unavailable"),
}
EXPLANATIONS = {
    400: N_("The request could not be understood."),
    401: N_("This dashboard needs its access token."),
    403: N_("The request was refused."),
    404: N_("There is no page at this address."),
    405: N_("This address does not take that kind of request."),
    413: N_("The request is too large."),
    415: N_("The request's content is not of a kind this dashboard takes."),
    422: N_("A value in this page's address is not valid."),
    500: N_("The dashboard could not answer this request."),
    503: N_("The dashboard cannot answer right now."),
}
#: Refusals of :class:`topup.web.auth.RequestGuard`, explained.
UNKNOWN_HOST = N_(
    "This dashboard does not answer under this host name (a protection against DNS "
    "rebinding). Open it by its IP address or localhost, or add the name to [serve] "
    "allowed_hosts."
)
CROSS_SITE = N_("A request from another site was refused. Use this dashboard's own pages.")
STORAGE_UNAVAILABLE = N_("The history database is unavailable. Try again in a moment.")
STORAGE_ERROR = N_("The history database answered with an error.")


class BadParameter(HTTPException):
    """A 422 for one query parameter (``parameter``: its name)."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(422, detail)
        self.parameter = parameter


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def wants_page(scope: Scope) -> bool:
    """A browser asking for a page: ``Accept`` names ``text/html``; not the API nor metrics."""
    if scope.get("type") != "http" or str(scope.get("path", "")).startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in _header(scope, b"accept").lower()


def page(
    scope: Scope,
    code: int,
    explanation: str | None = None,
    *,
    back: bool = True,
    details: Sequence[str] = (),
) -> tuple[str, str]:
    """The error page (language, HTML) for ``scope``. ``explanation`` is an English message
    marked with ``N_`` (translated here); without it, the status's own. ``details``: the
    query parameters at fault (their names, shown as they are)."""
    from topup.web import language, pages  # the pages import this module's users

    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    lang = pages.lang_for(scope)
    other = language.other(lang)
    switch = language.switch_url(str(scope.get("path", "/")), query, other)
    html = pages.error_html(
        lang,
        datetime.now(UTC),
        code,
        title=TITLES.get(code, N_("Error")),
        explanation=explanation or EXPLANATIONS.get(code, EXPLANATIONS[500]),
        back=back,
        details=details,
        switch=switch,
    )
    return lang, html


def html_response(
    request: Request, code: int, explanation: str | None = None, *, details: Sequence[str] = ()
) -> HTMLResponse:
    from topup.web import pages

    _, html = page(request.scope, code, explanation, details=details)
    return HTMLResponse(html, status_code=code, headers=dict(pages.HEADERS))


def _names(errors: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for e in errors:
        loc = e.get("loc")
        if isinstance(loc, (list, tuple)) and loc:
            names.append(str(loc[-1]))
    return names


def install(app: FastAPI) -> None:
    """Answer HTTP errors and invalid parameters with a page when a browser asks for one."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not wants_page(request.scope):
            return await http_exception_handler(request, exc)
        details = [exc.parameter] if isinstance(exc, BadParameter) else []
        response = html_response(request, exc.status_code, details=details)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if not wants_page(request.scope):
            return await request_validation_exception_handler(request, exc)
        return html_response(request, 422, details=_names(exc.errors()))


def storage_answer(request: Request, code: int, detail: str, explanation: str) -> Response:
    """A storage failure: the page for a browser, else ``{"detail": ...}``."""
    if wants_page(request.scope):
        return html_response(request, code, explanation)
    return JSONResponse({"detail": detail}, status_code=code)
