"""A browser asking for a page gets errors as a page in its language; programs keep the JSON."""

from __future__ import annotations

import pytest

from .support import Server

PAGE = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
ZH = {**PAGE, "accept-language": "zh-CN,zh;q=0.9"}


def is_page(r: object) -> bool:
    return str(getattr(r, "headers", {}).get("content-type", "")).startswith("text/html")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [({"sort": "bogus"}, "sort"), ({"page": "abc"}, "page"), ({"status": "meh"}, "status")],
)
def test_a_bad_overview_parameter_is_a_page_naming_it(
    open_server: Server, query: dict[str, str], parameter: str
) -> None:
    with open_server.client() as c:
        english = c.get("/", params=query, headers=PAGE)
        chinese = c.get("/", params=query, headers=ZH)
        script = c.get("/", params=query)
    assert english.status_code == chinese.status_code == 422
    assert is_page(english) and is_page(chinese)
    assert 'data-status="422"' in english.text and "Invalid address" in english.text
    assert f"Check: {parameter}" in english.text and 'href="/"' in english.text
    assert "地址" in chinese.text and '<html lang="zh-CN">' in chinese.text
    assert '"detail"' not in chinese.text
    assert script.status_code == 422 and "detail" in script.json()  # a script keeps the JSON


def test_an_unknown_path_is_a_not_found_page(open_server: Server) -> None:
    with open_server.client() as c:
        page = c.get("/no/such/page", headers=ZH)
        api = c.get("/api/nope", headers=PAGE)
        bad_api = c.get("/api/accounts", params={"sort": "bogus"}, headers=PAGE)
    assert page.status_code == 404 and is_page(page) and "未找到" in page.text
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert bad_api.status_code == 422 and "sort" in bad_api.json()["detail"]


def test_a_cross_site_post_is_refused_with_a_page(server: Server) -> None:
    cross = {"sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded"}
    with server.client(auth=False) as c:
        browser = c.post("/login", content="token=x", headers={**ZH, **cross})
        script = c.post("/login", content="token=x", headers=cross)
    assert browser.status_code == script.status_code == 403
    assert is_page(browser) and "其他网站" in browser.text and 'href="/"' in browser.text
    assert script.json() == {"detail": "cross-site request refused"}


def test_an_unknown_host_is_a_page_without_links(open_server: Server) -> None:
    with open_server.client() as c:
        browser = c.get("/", headers={**ZH, "host": "evil.example"})
        script = c.get("/", headers={"host": "evil.example"})
    assert browser.status_code == script.status_code == 400
    assert is_page(browser) and "allowed_hosts" in browser.text and "DNS" in browser.text
    assert 'class="back"' not in browser.text and "alpha" not in browser.text
    assert "allowed_hosts" in script.json()["detail"]
