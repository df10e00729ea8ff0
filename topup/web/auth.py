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
browser history. The token is never echoed.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from topup.hosts import is_ip

COOKIE = "topup_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_SITES = frozenset({"same-origin", "none"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(
    scope: Scope, send: Send, status: int, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"detail": detail}).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            *headers,
            (b"content-length", str(len(body)).encode()),
        ],
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
            await _refuse(scope, send, 400, detail)
            return
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            if self.cross_site(scope, host):
                await _refuse(scope, send, 403, "cross-site request refused")
                return
            ctype = _header(scope, b"content-type")
            media = (ctype or "").split(";", 1)[0].strip().lower()
            if ctype is not None and media != "application/json" and not media.endswith("+json"):
                await _refuse(scope, send, 415, "the request body must be application/json")
                return
        await self.app(scope, receive, send)


def _matches(candidate: str | None, token: bytes) -> bool:
    if candidate is None:
        return False
    return hmac.compare_digest(candidate.encode("utf-8", "surrogateescape"), token)


class TokenAuth:
    """ASGI middleware: 401 for any HTTP request without the token (lifespan passes)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("empty access token")
        self.app = app
        self.token = token.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        auth = _header(scope, b"authorization")
        bearer = auth is not None and auth[:7].lower() == "bearer "
        if bearer and auth is not None and _matches(auth[7:].strip(), self.token):
            await self.app(scope, receive, send)
            return
        cookie = _header(scope, b"cookie")
        if cookie:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(cookie)
            except Exception:  # a malformed cookie is just no cookie
                jar = SimpleCookie()
            morsel = jar.get(COOKIE)
            if morsel is not None and _matches(morsel.value, self.token):
                await self.app(scope, receive, send)
                return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        pairs = parse_qsl(query, keep_blank_values=True)
        given = [v for k, v in pairs if k == "token"]
        if given and _matches(given[-1], self.token):
            await self._set_cookie_and_redirect(scope, send, pairs)
            return
        await self._deny(scope, send)

    async def _set_cookie_and_redirect(
        self, scope: Scope, send: Send, pairs: list[tuple[str, str]]
    ) -> None:
        rest = urlencode([(k, v) for k, v in pairs if k != "token"])
        location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{COOKIE}={self.token.decode('utf-8')}; Path=/; HttpOnly; SameSite=Strict{secure}"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1", "replace")),
                    (b"set-cookie", cookie.encode("utf-8")),
                    (b"cache-control", b"no-store"),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _deny(self, scope: Scope, send: Send) -> None:
        challenge = [(b"www-authenticate", b'Bearer realm="topup"')]
        await _refuse(scope, send, 401, "missing or wrong access token", challenge)
