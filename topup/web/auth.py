"""Access token middleware: every request needs the token, compared in constant time.

The token is accepted as ``Authorization: Bearer <token>``, as the ``topup_token`` cookie, or
once as ``?token=<token>``: a page opened that way sets the cookie (HttpOnly, SameSite=Strict)
and redirects to the same URL without the token, so it does not stay in the address bar or
the browser history. The token is never echoed.
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "topup_token"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


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
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b'{"detail":"missing or wrong access token"}'
        start: Message = {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="topup"'),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})
