"""The login form of a token-protected dashboard: browsers get the form, API clients the 401
JSON; the token travels in a POST body, sets an HttpOnly SameSite=Strict cookie and leads back;
cross-site posts are refused; logout clears the cookie."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from topup.web.auth import safe_next

from .support import TOKEN, Server, serve

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


# Values of ``next`` that would lead a browser to another site if echoed into ``Location``:
# WHATWG URL parsing drops tabs and newlines anywhere, and reads ``\`` as ``/``.
NASTY_NEXT = [
    "/\t///evil.example/x",
    "/\t/evil.example",
    "/\r\n//evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    "/\x00//evil.example",
    "/\x7f//evil.example",
    "/\x85//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/x\\..\\..\\\\evil.example",
    "//evil.example/",
    "///evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
]


def same_server_path(location: str) -> bool:
    """A path-absolute reference a browser resolves against this server: it starts with one
    ``/``, and nothing in it is dropped or read as ``/`` (no control character, no ``\\``)."""
    printable = all(" " < c < "\x7f" for c in location)
    return (
        location.startswith("/")
        and not location.startswith("//")
        and printable
        and ("\\" not in location)
    )


@pytest.mark.parametrize("given", NASTY_NEXT)
def test_next_never_leads_to_another_site(given: str) -> None:
    assert safe_next(given) == "/"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        # decoded once by the query parser, this is a path of this server whose first segment
        # is "%2F%2Fevil.example"; Location carries it percent-encoded as it came, and
        # browsers do not decode %2F into a "/" there, so it stays on this server (a 404).
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
        ("/accounts/a b", "/accounts/a%20b"),
        ("/accounts/名", "/accounts/%E5%90%8D"),
        ("/accounts/a?range=24h&token=x#top", "/accounts/a?range=24h"),
    ],
)
def test_next_keeps_a_path_of_this_server_in_ascii(given: str, kept: str) -> None:
    assert safe_next(given) == kept
    assert same_server_path(kept)


@pytest.mark.parametrize("given", [*NASTY_NEXT, "/%2F%2Fevil.example"])
def test_a_logged_in_login_redirect_stays_on_this_server(server: Server, given: str) -> None:
    with browser(server) as c:
        r = c.get("/login", params={"next": given}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 303
        assert same_server_path(r.headers["location"]), r.headers["location"]
        posted = c.post("/login", data={"token": TOKEN, "next": given})
        assert posted.status_code == 303
        assert same_server_path(posted.headers["location"]), posted.headers["location"]


def test_a_token_link_to_an_encoded_double_slash_stays_on_this_server(server: Server) -> None:
    # the server decodes %2F in the path: "/%2F%2Fevil.example/x" is "///evil.example/x",
    # which a browser would read as a link to evil.example if it were sent back as it is.
    with httpx.Client(base_url=server.url, follow_redirects=False) as c:
        r = c.get(f"/%2F%2Fevil.example/x?token={TOKEN}")
    assert r.status_code == 303
    assert same_server_path(r.headers["location"]), r.headers["location"]


def login_cookie(server: Server, token: str) -> str:
    """The ``topup_token`` value the right token sets, read from ``Set-Cookie``."""
    with browser(server) as c:
        r = c.post("/login", data={"token": token})
    assert r.status_code == 303
    first = r.headers["set-cookie"].split(";", 1)[0]
    name, _, value = first.partition("=")
    assert name == "topup_token"
    return value


def test_the_cookie_holds_no_token_only_a_value_derived_from_it(server: Server) -> None:
    value = login_cookie(server, TOKEN)
    assert TOKEN not in value
    assert value.isascii() and value.isalnum()
    with browser(server) as c:
        assert c.get("/", headers={"Cookie": f"topup_token={value}"}).status_code == 200
        # the raw token is not a cookie this server takes (a login sets the derived value)
        assert c.get("/", headers={"Cookie": f"topup_token={TOKEN}"}).status_code == 303


def test_a_malformed_cookie_of_another_app_does_not_block_the_login(server: Server) -> None:
    value = login_cookie(server, TOKEN)
    mixed = f'prefs={{"a": 1}}; topup_token={value}; topup_lang=zh-CN'
    with browser(server) as c:
        page = c.get("/", headers={"Cookie": mixed})
        assert page.status_code == 200
        assert '<html lang="zh-CN">' in page.text
        again = c.get("/login", params={"next": "/accounts/alpha"}, headers={"Cookie": mixed})
        assert again.status_code == 303 and again.headers["location"] == "/accounts/alpha"


@pytest.fixture(
    scope="module",
    params=["correct horse battery", "a;b=c", '"quoted"', "a,b\\c"],
    ids=["spaces", "semicolon", "quotes", "comma-backslash"],
)
def odd_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server whose token has characters a raw cookie value cannot hold."""
    yield from serve(tmp_path_factory.mktemp("web-odd"), request.param)


def test_a_token_with_cookie_unsafe_characters_logs_in(odd_server: Server) -> None:
    token = odd_server.token
    assert token is not None
    with browser(odd_server) as c:
        r = c.post("/login", data={"token": token, "next": "/accounts/alpha"})
        assert r.status_code == 303 and r.headers["location"] == "/accounts/alpha"
        assert token not in r.headers["set-cookie"]
        page = c.get("/")
        assert page.status_code == 200 and 'action="/logout"' in page.text
    with httpx.Client(base_url=odd_server.url, follow_redirects=False) as link:
        r = link.get("/accounts/alpha", params={"token": token, "range": "24h"})
        assert r.status_code == 303 and r.headers["location"] == "/accounts/alpha?range=24h"
        assert token not in r.headers["set-cookie"]
        assert link.get(r.headers["location"], headers=HTML).status_code == 200
    with odd_server.client() as api:
        assert api.get("/api/accounts").status_code == 200
