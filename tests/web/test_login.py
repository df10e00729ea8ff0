"""The login form of a token-protected dashboard: browsers get the form, API clients the 401
JSON; the token travels in a POST body, sets an HttpOnly SameSite=Strict cookie and leads back;
cross-site posts are refused; logout clears the cookie."""

from __future__ import annotations

import httpx
import pytest

from topup.web.auth import safe_next

from .support import TOKEN, Server

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def browser(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=HTML, follow_redirects=False, timeout=10)


def test_a_browser_without_the_token_is_sent_to_the_login_form(server: Server) -> None:
    with browser(server) as c:
        r = c.get("/accounts/alpha", params={"range": "24h"})
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/accounts/alpha%3Frange%3D24h"
        form = c.get(r.headers["location"])
    assert form.status_code == 200
    assert form.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/login">' in form.text
    assert 'type="password"' in form.text and 'name="token"' in form.text
    assert 'value="/accounts/alpha?range=24h"' in form.text
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]
    assert TOKEN not in form.text


@pytest.mark.parametrize(
    "headers",
    [{"Accept": "application/json"}, {"Accept": "*/*"}, HTML],
    ids=["json", "any", "html-on-api"],
)
def test_api_clients_still_get_the_401_json(server: Server, headers: dict[str, str]) -> None:
    path = "/api/accounts" if headers is HTML else "/"
    with httpx.Client(base_url=server.url, headers=headers) as c:
        r = c.get(path)
    assert r.status_code == 401
    assert r.json() == {"detail": "missing or wrong access token"}


def test_the_right_token_sets_the_cookie_and_leads_back(server: Server) -> None:
    with browser(server) as c:
        r = c.post("/login", data={"token": TOKEN, "next": "/accounts/alpha?range=24h"})
        assert r.status_code == 303
        assert r.headers["location"] == "/accounts/alpha?range=24h"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("topup_token=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain http on loopback
        page = c.get(r.headers["location"])
        assert page.status_code == 200 and 'data-account="alpha"' in page.text
        assert 'action="/logout"' in page.text
        assert TOKEN not in page.text
        again = c.get("/login", params={"next": "/"})
        assert again.status_code == 303 and again.headers["location"] == "/"


def test_a_wrong_token_shows_the_form_again_with_a_message(server: Server) -> None:
    with browser(server) as c:
        r = c.post("/login", data={"token": TOKEN[:-1] + "x", "next": "/"})
        assert r.status_code == 401
        assert "set-cookie" not in r.headers or "topup_token" not in r.headers["set-cookie"]
        assert 'role="alert"' in r.text and "not right" in r.text
        assert TOKEN[:-1] not in r.text
        assert c.get("/").status_code == 303  # still not logged in


def test_the_login_form_speaks_the_browsers_language(server: Server) -> None:
    with browser(server) as c:
        zh = c.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
        wrong = c.post("/login", data={"token": "nope"}, headers={"Accept-Language": "zh-CN"})
    assert '<html lang="zh-CN">' in zh.text and "访问令牌" in zh.text
    assert "令牌不正确" in wrong.text


def test_a_cross_site_login_post_is_refused_a_same_origin_one_works(server: Server) -> None:
    with browser(server) as c:
        cross = c.post(
            "/login",
            data={"token": TOKEN},
            headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        )
        assert cross.status_code == 403 and "set-cookie" not in cross.headers
        same = c.post(
            "/login",
            data={"token": TOKEN},
            headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"},
        )
        assert same.status_code == 303 and "topup_token=" in same.headers["set-cookie"]
        # a form body elsewhere is still refused: only the login and logout forms take one
        other = c.post("/api/check", data={"accounts": "alpha"})
        assert other.status_code == 415


def test_logout_clears_the_cookie(server: Server) -> None:
    with browser(server) as c:
        c.post("/login", data={"token": TOKEN})
        assert c.get("/").status_code == 200
        out = c.post("/logout")
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert "Max-Age=0" in out.headers["set-cookie"]
        assert c.get("/").status_code == 303


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/accounts/a?range=24h", "/accounts/a?range=24h"),
        ("/?token=secret&sort=name", "/?sort=name"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/x\r\nSet-Cookie: a=b", "/"),
        (None, "/"),
    ],
)
def test_login_leads_back_only_to_a_path_of_this_server(given: str | None, kept: str) -> None:
    assert safe_next(given) == kept
