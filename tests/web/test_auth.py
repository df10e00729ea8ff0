"""The access token: 401 without it everywhere (but the public assets), 200 with it; never
echoed."""

from __future__ import annotations

import httpx
import pytest

from .support import TOKEN, Server

PATHS = [
    "/",
    "/accounts/alpha",
    "/api/accounts",
    "/api/accounts/alpha",
    "/api/accounts/alpha/history",
    "/metrics",
    "/openapi.json",
    "/healthz",
]


@pytest.mark.parametrize("path", PATHS)
def test_401_without_token_200_with(server: Server, path: str) -> None:
    with server.client(auth=False) as anon, server.client() as authed:
        denied = anon.get(path)
        assert denied.status_code == 401
        assert TOKEN not in denied.text
        assert denied.headers["www-authenticate"].startswith("Bearer")
        wrong = anon.get(path, headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
        assert wrong.status_code == 401
        assert authed.get(path).status_code == 200


def test_post_check_needs_token(server: Server) -> None:
    calls = len(server.sandbox.calls)
    with server.client(auth=False) as anon:
        assert anon.post("/api/check", json={}).status_code == 401
    assert len(server.sandbox.calls) == calls


def test_query_token_sets_cookie_and_redirects_without_it(server: Server) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as c:
        r = c.get("/accounts/alpha", params={"token": TOKEN, "range": "24h"})
        assert r.status_code == 303
        assert r.headers["location"] == "/accounts/alpha?range=24h"
        assert TOKEN not in r.headers["location"]
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = c.get(r.headers["location"])
        assert page.status_code == 200
        assert TOKEN not in page.text
    with httpx.Client(base_url=server.url) as fresh:
        assert fresh.get("/", params={"token": "nope"}).status_code == 401


def test_the_token_does_not_excuse_a_wrong_host_or_a_cross_site_post(server: Server) -> None:
    calls = len(server.sandbox.calls)
    with server.client() as authed:
        assert authed.get("/api/accounts", headers={"Host": "evil.example"}).status_code == 400
        cross = authed.post("/api/check", json={}, headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403
        assert TOKEN not in cross.text
        assert authed.post("/api/check", json={}, headers={"Origin": server.url}).status_code == 200
    assert len(server.sandbox.calls) == calls + 1


def test_the_static_assets_are_public_and_nothing_else_under_that_prefix(server: Server) -> None:
    with server.client(auth=False) as anon:
        assert anon.get("/static/topup.css").status_code == 200
        assert anon.post("/static/topup.css", json={}).status_code == 401
        assert TOKEN not in anon.get("/static/topup.js").text
