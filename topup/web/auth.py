"""What a request must show before it reaches the app: the right Host, a same-origin signal,
the access token.

:class:`RequestGuard` (every serve, token or not) stops web pages the user happens to open:

* **DNS rebinding.** A page on ``evil.example`` whose name is re-pointed at 127.0.0.1 talks to
  the dashboard as its own origin, with ``Host: evil.example``. Only these ``Host`` names are
  answered: IP literals, ``localhost``, and the names in ``[serve] allowed_hosts`` (an entry
  ``.example.com`` also allows its subdomains; ``*`` allows any name). Others get 400.
* **Cross-site requests.** Any page may make the browser send a form or a ``no-cors`` request.
  A state-changing request (anything but GET/HEAD/OPTIONS) is refused (403) when the browser
  says it is not same-origin: ``Sec-Fetch-Site`` other than ``same-origin``/``none``, else an
  ``Origin`` that is neither this server's (the ``Host``) nor an allowed host. Its body must be
  JSON (415 otherwise), a content type no page can send elsewhere without a CORS preflight,
  which is never approved. Clients that are not browsers (curl, scripts) send neither header
  and pass, as no page can make a browser omit both.

:class:`TokenAuth` (when a token is set): every request needs it, compared in constant time,
as ``Authorization: Bearer <token>``, as the ``topup_token`` cookie, or once as
``?token=<token>``: a page opened that way sets the cookie (HttpOnly, SameSite=Strict) and
redirects to the same URL without the token, so it does not stay in the address bar or the
browser history. The token is never echoed. The cookie does not hold the token but a value
derived from it (:func:`cookie_value`, hex, so any token fits in a cookie), and the
``Cookie`` header is read leniently: a malformed cookie of another app on the same host (they
share cookies across ports) does not hide this one.

A browser (``Accept: text/html``, not under ``/api/``) without the token is sent to the login
form, ``/login?next=<where it was going>``; API clients still get the 401 JSON. The form
POSTs the token in its body (never in a URL, which servers and proxies log); the right token
sets the cookie (``Secure`` too over https) and redirects back to ``next`` (a path on this
server only, see :func:`safe_next`), a wrong one shows the form again with a message
(401). ``POST /logout`` clears the cookie. Both are form posts, so the guard accepts a form
body on these two paths only, and still refuses them cross-site. The assets under ``/static/``
are served without the token (the login page uses them; they hold nothing private).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from topup import i18n
from topup.hosts import is_ip
from topup.web import errors

COOKIE = "topup_token"
LOGIN = "/login"
LOGOUT = "/logout"
#: Paths whose POST may carry a form body (the login and logout forms).
FORM_PATHS = frozenset({LOGIN, LOGOUT})
PUBLIC_PREFIX = "/static/"
#: The largest login form body read.
MAX_FORM = 8192
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_SITES = frozenset({"same-origin", "none"})
#: What the cookie value is derived for (the HMAC message; the token is the key).
COOKIE_PURPOSE = b"topup-dashboard-cookie"
#: Characters kept as they are in a redirect path (RFC 3986 pchar and "/", and "%" so an
#: encoded path stays as it came); everything else is percent-encoded.
PATH_SAFE = "/%!$&'()*+,;=:@"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
    *,
    explanation: str | None = None,
    back: bool = True,
) -> None:
    """The JSON ``{"detail": ...}``, or for a browser asking for a page the error page in its
    language (:mod:`topup.web.errors`; ``explanation``: an ``N_`` message)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    if errors.wants_page(scope):
        from topup.web import pages  # the pages import this module

        _, html = errors.page(scope, status, explanation, back=back)
        page_headers = [(k.encode(), v.encode()) for k, v in pages.HEADERS.items()]
        page_headers.append((b"content-type", b"text/html; charset=utf-8"))
        await _send_whole(send, status, [*page_headers, *headers], html.encode("utf-8"))
        return
    body = json.dumps({"detail": detail}).encode()
    await _send_whole(send, status, [(b"content-type", b"application/json"), *headers], body)


async def _send_whole(
    send: Send, status: int, headers: Iterable[tuple[bytes, bytes]], body: bytes
) -> None:
    """One whole HTTP response: ``headers`` then its content-length, and ``body``."""
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


def _host_name(netloc: str) -> str:
    """``Host``/``Origin`` authority without its port, lowercased, IPv6 brackets removed."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0].rstrip(".")


class RequestGuard:
    """ASGI middleware against DNS rebinding and cross-site requests (see the module doc)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = tuple(h.lower() for h in allowed_hosts)

    def listed(self, name: str) -> bool:
        """``name`` is in ``[serve] allowed_hosts`` (exactly, by a ``.suffix``, or ``*``)."""
        return any(
            entry == "*"
            or entry.strip("[]") == name
            or (entry.startswith(".") and (name.endswith(entry) or name == entry[1:]))
            for entry in self.allowed
        )

    def host_allowed(self, host: str | None) -> bool:
        if host is None:  # HTTP/1.0 without Host: not a browser
            return True
        name = _host_name(host)
        return name == "localhost" or is_ip(name) or self.listed(name)

    def cross_site(self, scope: Scope, host: str | None) -> bool:
        site = _header(scope, b"sec-fetch-site")
        if site is not None:
            return site.strip().lower() not in SAME_ORIGIN_SITES
        origin = _header(scope, b"origin")
        if origin is None:
            return False
        netloc = urlsplit(origin.strip()).netloc.lower()
        if not netloc:  # "null": a sandboxed frame, a data: URL, a cross-site redirect
            return True
        return netloc != (host or "").strip().lower() and not self.listed(_host_name(netloc))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if not self.host_allowed(host):
            detail = "unknown Host; add its name to [serve] allowed_hosts"
            # Static words only (no data, no link): harmless to a rebinding page.
            await _refuse(scope, send, 400, detail, explanation=errors.UNKNOWN_HOST, back=False)
            return
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            if self.cross_site(scope, host):
                detail = "cross-site request refused"
                await _refuse(scope, send, 403, detail, explanation=errors.CROSS_SITE)
                return
            ctype = _header(scope, b"content-type")
            media = (ctype or "").split(";", 1)[0].strip().lower()
            form = scope["path"] in FORM_PATHS and media == "application/x-www-form-urlencoded"
            json_body = media == "application/json" or media.endswith("+json")
            if ctype is not None and not json_body and not form:
                await _refuse(scope, send, 415, "the request body must be application/json")
                return
        await self.app(scope, receive, send)


def _matches(candidate: str | None, token: bytes) -> bool:
    if candidate is None:
        return False
    return hmac.compare_digest(candidate.encode("utf-8", "surrogateescape"), token)


def cookie_value(token: bytes) -> str:
    """What the login cookie holds for ``token``: hex HMAC-SHA256 keyed by it, so the browser
    never holds the token itself and any token (spaces, ``;``, quotes) fits in a cookie."""
    return hmac.new(token, COOKIE_PURPOSE, hashlib.sha256).hexdigest()


def _cookie_value(scope: Scope, name: str) -> str | None:
    """The cookie ``name``, read as browsers send cookies (Starlette's lenient parser): a
    malformed cookie next to it is skipped, not a reason to drop them all."""
    cookie = _header(scope, b"cookie")
    return cookie_parser(cookie).get(name) if cookie else None


def wants_html(scope: Scope) -> bool:
    """A browser asking for a page (not a script asking for JSON, nor the API)."""
    if scope["path"].startswith("/api/"):
        return False
    accept = (_header(scope, b"accept") or "").lower()
    return "text/html" in accept


def safe_next(value: str | None) -> str:
    """A path on this server to go back to (never another site, never the token), else ``/``.

    Browsers drop tabs and newlines anywhere in a URL and read ``\\`` as ``/``, so a value
    with any control character or backslash is refused outright; what remains must parse as
    a path alone (no scheme, no host) starting with one ``/``. The path is percent-encoded
    where it is not plain ASCII (``%`` kept: ``/%2F%2Fx`` stays a path of this server, as
    ``Location`` is not decoded); the query is kept without ``token``; the fragment dropped.
    """
    if not value or any(c == "\\" or unicodedata.category(c) == "Cc" for c in value):
        return "/"
    if not value.startswith("/") or value.startswith("//"):  # "///x" parses as path "/x"
        return "/"
    parts = urlsplit(value)
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return "/"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    rest = urlencode(pairs)
    return quote(path, safe=PATH_SAFE) + (f"?{rest}" if rest else "")


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> None:
    await _send_whole(send, status, [*headers, (b"cache-control", b"no-store")], body)


class TokenAuth:
    """ASGI middleware: the token on every HTTP request; the login form for browsers without it
    (see the module doc). Lifespan passes."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("empty access token")
        self.app = app
        self.token = token.encode("utf-8")
        self.cookie = cookie_value(self.token)

    def _authorized(self, scope: Scope) -> bool:
        auth = _header(scope, b"authorization")
        bearer = auth is not None and auth[:7].lower() == "bearer "
        if bearer and auth is not None and _matches(auth[7:].strip(), self.token):
            return True
        return _matches(_cookie_value(scope, COOKIE), self.cookie.encode("ascii"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope.get("method", "GET")
        if scope["type"] == "http" and path in FORM_PATHS:
            await self._form(scope, receive, send, path, method)
            return
        if self._authorized(scope) or (
            path.startswith(PUBLIC_PREFIX) and method in ("GET", "HEAD")
        ):
            await self.app(scope, receive, send)
            return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        pairs = parse_qsl(query, keep_blank_values=True)
        given = [v for k, v in pairs if k == "token"]
        if given and _matches(given[-1], self.token):
            await self._set_cookie_and_redirect(scope, send, pairs)
            return
        if scope["type"] == "http" and method in ("GET", "HEAD") and wants_html(scope):
            rest = urlencode([(k, v) for k, v in pairs if k != "token"])
            back = scope.get("root_path", "") + path + (f"?{rest}" if rest else "")
            location = f"{LOGIN}?next={quote(back, safe='/')}"
            await _respond(send, 303, [(b"location", location.encode("latin-1", "replace"))])
            return
        await self._deny(scope, send)

    def _cookie(self, scope: Scope, value: str, *, clear: bool = False) -> bytes:
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        age = "; Max-Age=0" if clear else ""
        return f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}".encode()

    async def _form(
        self, scope: Scope, receive: Receive, send: Send, path: str, method: str
    ) -> None:
        """``GET /login`` (the form), ``POST /login`` (the token), ``POST /logout``."""
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        args = dict(parse_qsl(query, keep_blank_values=True))
        if method in ("GET", "HEAD") and path == LOGIN:
            target = safe_next(args.get("next"))
            if self._authorized(scope):
                await _respond(send, 303, [(b"location", target.encode("latin-1", "replace"))])
                return
            await self._login_page(scope, send, target, wrong=False)
            return
        if method != "POST":
            await _respond(send, 405, [(b"allow", b"GET, POST" if path == LOGIN else b"POST")])
            return
        body = await self._read(receive)
        if body is None:
            await _refuse(scope, send, 413, "the form is too large")
            return
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        target = safe_next(form.get("next") or args.get("next"))
        if path == LOGOUT:
            cleared = self._cookie(scope, "", clear=True)
            await _respond(send, 303, [(b"location", LOGIN.encode()), (b"set-cookie", cleared)])
            return
        if _matches(form.get("token", "").strip(), self.token):
            cookie = self._cookie(scope, self.cookie)
            headers = [(b"location", target.encode("latin-1", "replace")), (b"set-cookie", cookie)]
            await _respond(send, 303, headers)
            return
        await self._login_page(scope, send, target, wrong=True)

    @staticmethod
    async def _read(receive: Receive) -> bytes | None:
        body = b""
        while True:
            message = await receive()
            body += bytes(message.get("body", b""))
            if len(body) > MAX_FORM:
                return None
            if not message.get("more_body"):
                return body

    async def _login_page(self, scope: Scope, send: Send, target: str, *, wrong: bool) -> None:
        from topup.web import language, pages  # the pages import this module

        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        asked = dict(parse_qsl(query)).get("lang")
        app = scope.get("app")
        setting = getattr(getattr(app, "state", None), pages.SETTING, None)
        lang = language.choose(
            asked,
            _cookie_value(scope, language.COOKIE),
            setting,
            _header(scope, b"accept-language"),
        )
        switch = language.switch_url(
            LOGIN, {"next": target} if target != "/" else {}, language.other(lang)
        )
        html = pages.login_html(
            lang, datetime.now(UTC), wrong=wrong, next_url=target, switch=switch
        )
        headers = [(k.encode(), v.encode()) for k, v in pages.HEADERS.items()]
        headers.append((b"content-type", b"text/html; charset=utf-8"))
        if wrong:
            headers.append((b"www-authenticate", b'Bearer realm="topup"'))
        if i18n.normalize(asked):  # ?lang= is remembered
            secure = scope.get("scheme") == "https"
            headers.append((b"set-cookie", language.cookie(lang, secure=secure).encode()))
        await _respond(send, 401 if wrong else 200, headers, html.encode("utf-8"))

    async def _set_cookie_and_redirect(
        self, scope: Scope, send: Send, pairs: list[tuple[str, str]]
    ) -> None:
        rest = urlencode([(k, v) for k, v in pairs if k != "token"])
        back = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
        location = safe_next(back)  # the path is decoded: "/%2F%2Fx" is "///x" here
        cookie = self._cookie(scope, self.cookie)
        await _respond(
            send,
            303,
            [(b"location", location.encode("latin-1", "replace")), (b"set-cookie", cookie)],
        )

    async def _deny(self, scope: Scope, send: Send) -> None:
        challenge = [(b"www-authenticate", b'Bearer realm="topup"')]
        await _refuse(scope, send, 401, "missing or wrong access token", challenge)
