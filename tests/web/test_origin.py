"""Web pages the user opens cannot use the dashboard: DNS rebinding and cross-site requests.

A token-less serve on 127.0.0.1 is reachable from every page of the user's browser. A page on
a name the attacker re-points at 127.0.0.1 (DNS rebinding) is refused by its ``Host``; a form
or request sent from another site is refused by its ``Sec-Fetch-Site``/``Origin`` and content
type. The dashboard's own Check now button, and clients that are not browsers, still work.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from topup.hosts import allowed_hosts
from topup.web import create_app

from . import support
from .support import Server, serve

CHROMIUM = Path("/usr/bin/chromium")


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


# -- DNS rebinding ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "localhost.evil.example:{port}", "x"]
)
def test_a_rebound_name_gets_no_data(open_server: Server, host: str) -> None:
    calls = len(open_server.sandbox.calls)
    with open_server.client() as c:
        headers = {"Host": host.format(port=port_of(open_server))}
        for path in ("/api/accounts", "/", "/metrics", "/accounts/alpha"):
            refused = c.get(path, headers=headers)
            assert refused.status_code == 400, path
            assert "allowed_hosts" in refused.json()["detail"]
            assert "alpha" not in refused.text
        assert c.post("/api/check", json={}, headers=headers).status_code == 400
    assert len(open_server.sandbox.calls) == calls


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}", "10.1.2.3"]
)
def test_addresses_and_localhost_are_served(open_server: Server, host: str) -> None:
    with open_server.client() as c:
        r = c.get("/api/accounts", headers={"Host": host.format(port=port_of(open_server))})
        assert r.status_code == 200
        assert len(r.json()["accounts"]) == 6


@pytest.fixture
def proxied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """A token-less server behind a reverse proxy: ``[serve] allowed_hosts`` set."""
    names = allowed_hosts(["dash.example.com", ".corp.example"])
    monkeypatch.setattr(support, "create_app", partial(create_app, allowed_hosts=names))
    yield from serve(tmp_path, None)


def test_allowed_hosts_admit_the_proxys_names_only(proxied: Server) -> None:
    with proxied.client() as c:
        for host in ("dash.example.com", "dash.example.com:443", "a.corp.example", "corp.example"):
            assert c.get("/api/accounts", headers={"Host": host}).status_code == 200, host
        for host in ("example.com", "evil-corp.example", "dash.example.com.evil.example"):
            assert c.get("/api/accounts", headers={"Host": host}).status_code == 400, host
        # the proxy's page posts with its own origin
        ok = c.post(
            "/api/check",
            json={"accounts": ["alpha"]},
            headers={"Host": "127.0.0.1", "Origin": "https://dash.example.com"},
        )
        assert ok.status_code == 200


@pytest.mark.parametrize(
    "value", [["http://dash.example.com"], ["dash.example.com:8000"], [""], "dash", [1]]
)
def test_allowed_hosts_setting_is_checked(value: Any) -> None:
    with pytest.raises(ValueError, match="allowed_hosts"):
        allowed_hosts(value)
    assert allowed_hosts(["Dash.Example.com", ".corp", "*", "::1"]) == (
        "dash.example.com",
        ".corp",
        "*",
        "::1",
    )
    assert allowed_hosts(None) == ()


# -- cross-site requests ----------------------------------------------------------------------
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example", **FORM},
        {"Origin": "http://evil.example"},
        {"Origin": "null", **FORM},
        {"Sec-Fetch-Site": "cross-site", **FORM},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
    ],
    ids=["form", "no-cors", "null-origin", "fetch-metadata", "other-port", "json-cross-site"],
)
def test_a_cross_site_post_checks_nothing(open_server: Server, headers: dict[str, str]) -> None:
    calls = len(open_server.sandbox.calls)
    with open_server.client() as c:
        r = c.post("/api/check", content=b"", headers=headers)
        assert r.status_code == 403
        assert r.json() == {"detail": "cross-site request refused"}
    assert len(open_server.sandbox.calls) == calls


def test_a_same_origin_post_must_be_json(open_server: Server) -> None:
    calls = len(open_server.sandbox.calls)
    with open_server.client() as c:
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            r = c.post(
                "/api/check",
                content=b"accounts=alpha",
                headers={"Content-Type": ctype, "Origin": open_server.url},
            )
            assert r.status_code == 415, ctype
    assert len(open_server.sandbox.calls) == calls


def test_same_origin_and_non_browser_posts_still_check(open_server: Server) -> None:
    calls = len(open_server.sandbox.calls)
    with open_server.client() as c:
        browser_like = {"Origin": open_server.url, "Sec-Fetch-Site": "same-origin"}
        assert c.post("/api/check", json={}, headers=browser_like).status_code == 200
        assert c.post("/api/check", json={}, headers={"Origin": open_server.url}).status_code == 200
        assert c.post("/api/check", json={"accounts": ["alpha"]}).status_code == 200  # curl
        assert c.post("/api/check").status_code == 200  # no body at all
    assert len(open_server.sandbox.calls) == calls + 4


# -- in a real browser ------------------------------------------------------------------------
ATTACK = """<!doctype html><html><body>
<form id="f" method="post" action="{target}/api/check"></form>
<script>document.getElementById("f").submit();</script>
</body></html>"""


@pytest.fixture
def attacker(open_server: Server) -> Iterator[str]:
    """A page on another site that auto-submits a form to the dashboard."""
    page = ATTACK.format(target=open_server.url).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=site.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://evil.example:{site.server_address[1]}/"
    finally:
        site.shutdown()
        site.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (scripts/setup-system installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        # evil.example resolves to 127.0.0.1, as a rebinding attacker's name would
        "--host-resolver-rules=MAP evil.example 127.0.0.1",
    ]
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.browser
def test_in_chromium_rebinding_and_a_cross_site_form_fail_while_check_now_works(
    browser: Any, open_server: Server, attacker: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    calls = len(open_server.sandbox.calls)

    # A cross-site page auto-submits a form to POST /api/check.
    with page.expect_response(f"{open_server.url}/api/check") as posted:
        page.goto(attacker)
    assert posted.value.status == 403
    assert len(open_server.sandbox.calls) == calls

    # DNS rebinding: the attacker's name, now pointing at 127.0.0.1, on the dashboard's port.
    rebound = page.goto(f"http://evil.example:{port_of(open_server)}/api/accounts")
    assert rebound is not None and rebound.status == 400
    assert "alpha" not in page.content()

    # The dashboard's own button still checks.
    page.goto(f"{open_server.url}/accounts/alpha")
    page.click("button[data-check]")
    page.wait_for_function(
        "() => document.getElementById('check-status').textContent.startsWith('checked')"
    )
    assert open_server.sandbox.calls[calls:] == [["alpha"]]
    context.close()


def test_allowed_hosts_is_read_from_the_config_and_checked(tmp_path: Path) -> None:
    from topup.config import parse
    from topup.errors import ConfigError

    cfg = parse('[serve]\nallowed_hosts = ["Topup.Example.com", ".lan"]\n', tmp_path / "c.toml")
    assert cfg.settings.serve.allowed_hosts == ("topup.example.com", ".lan")
    with pytest.raises(ConfigError) as err:
        parse('[serve]\nallowed_hosts = ["https://x.example:8000"]\n', tmp_path / "c.toml")
    assert err.value.line == 2 and "not a host name" in str(err.value)
