"""The dashboard in a real headless browser: Debian's chromium driven by Playwright.

Screenshots go to ``tests/artifacts/web-*.png`` (gitignored; each test prints its paths): the
overview and an account page on a desktop, the same on a 390 px phone, in Chinese, and the login
page before and after a wrong token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from topup.web.views import usable

from .support import ARTIFACTS, TOKEN, Server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is not installed (scripts/setup-system installs it)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def vertices(path_d: str) -> int:
    return 1 + path_d.count("V") if path_d.startswith("M") else 0


def test_dashboard_in_chromium(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    external: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(server.url) else external.append(r.url),
    )

    # The token once in the URL: a cookie is set and the URL cleaned.
    page.goto(f"{server.url}/?token={TOKEN}&sort=config")
    assert page.url == f"{server.url}/?sort=config"
    rows = page.locator("tr.account")
    assert rows.count() == 6
    assert page.locator("svg.spark path").count() >= 4
    assert "108.00 CNY" in page.locator('tr[data-account="alpha"] td.balance').inner_text()
    charlie = page.locator('tr[data-account="charlie"]').inner_text()
    assert "unreachable" in charlie and "connection refused" in charlie
    assert "last good" in charlie
    assert "stale" in page.locator('tr[data-account="delta"] td.status').inner_text()
    assert "unknown" in page.locator('tr[data-account="echo"] td.balance').inner_text()
    assert page.locator(".total").count() == 2
    shot(page, "overview")

    # The account page: the chart has one vertex per stored point in the range.
    page.click('tr[data-account="alpha"] a')
    page.wait_for_url(re.compile(r"/accounts/alpha"))
    since = datetime.now(UTC) - timedelta(days=7)
    expected = len(usable(server.store.balance_history("alpha", since)))
    line = page.locator("svg.chart path.line")
    assert line.count() == 1
    d = line.get_attribute("d") or ""
    assert vertices(d) == expected == int(line.get_attribute("data-history") or 0)
    box = line.bounding_box()
    assert box is not None and box["width"] > 300  # it drew, across the chart
    assert page.locator("svg.bars rect").count() >= 7
    assert page.locator("svg.chart circle.latest").count() == 1
    assert page.locator("table.checks tbody tr").count() >= 100
    assert page.locator("table.alerts tbody tr").count() == 2
    shot(page, "account")

    page.click('a[data-range="24h"]')
    page.wait_for_url(re.compile(r"range=24h"))
    d24 = page.locator("svg.chart path.line").get_attribute("d") or ""
    assert 20 <= vertices(d24) <= 26

    # Check now: the API is called, the page updates in place.
    before = page.locator(".head .balance").inner_text()
    calls = len(server.sandbox.calls)
    page.click("button[data-check]")
    page.wait_for_function(
        "() => document.getElementById('check-status').textContent.startsWith('checked')"
    )
    page.wait_for_function(
        "(b) => document.querySelector('.head .balance').innerText !== b", arg=before
    )
    assert server.sandbox.calls[calls:] == [["alpha"]]
    after = page.locator(".head .balance").inner_text()
    assert "CNY" in after and after != before
    shot(page, "account-after-check")

    # A phone: no sideways scrolling, every account still there.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    mobile = phone.new_page()
    mobile.goto(f"{server.url}/?token={TOKEN}")
    assert mobile.locator("tr.account").count() == 6
    width = mobile.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 391
    shot(mobile, "phone")
    mobile.goto(f"{server.url}/accounts/alpha")
    assert mobile.evaluate("() => document.documentElement.scrollWidth") <= 391
    shot(mobile, "phone-account")

    assert errors == []
    assert external == []
    phone.close()
    context.close()


def chart_text_sizes(page: Any) -> list[float]:
    """The rendered height (CSS px) of every visible text of the charts."""
    return page.evaluate(
        """() => [...document.querySelectorAll('svg.chart text, svg.bars text')]
            .map(t => t.getBoundingClientRect())
            .filter(r => r.width > 0)
            .map(r => r.height)"""
    )


def test_a_phone_gets_legible_charts_and_no_sideways_scrolling(
    browser: Any, server: Server
) -> None:
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{server.url}/accounts/alpha?token={TOKEN}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
    sizes = chart_text_sizes(page)
    assert len(sizes) >= 6 and min(sizes) >= 10, sizes
    fonts = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart text')]
            .map(t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert min(fonts) >= 11
    latest = page.locator("svg.chart text.latest").bounding_box()
    assert latest is not None and latest["x"] >= 0 and latest["x"] + latest["width"] <= 390
    pill = page.locator(".fact-status").bounding_box()
    assert pill is not None and pill["width"] <= 390
    shot(page, "phone-chart")
    page.goto(f"{server.url}/accounts/unlim")
    assert page.locator("svg.chart path.line").count() == 1  # its usage, not an empty axis
    shot(page, "phone-unlimited")
    phone.close()


def test_the_dashboard_in_chinese(browser: Any, server: Server) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )  # the browser sends Accept-Language: zh-CN
    page = context.new_page()
    page.goto(f"{server.url}/?token={TOKEN}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("button[data-check]").inner_text() == "立即检查"
    assert "余额" in page.locator("table.accounts thead").inner_text()
    balance = page.locator('tr[data-account="alpha"] td.balance').inner_text()
    assert re.search(r"\d+\.\d\d CNY", balance)  # the amount keeps its currency
    first = page.locator("tr.account").first.get_attribute("data-account")
    assert first == "charlie"  # failing: the most urgent first
    assert "上次成功值" in page.locator('tr[data-account="charlie"]').inner_text()
    shot(page, "zh-overview")
    page.click('tr[data-account="alpha"] a')
    page.wait_for_url(re.compile(r"/accounts/alpha"))
    assert "每日消耗" in page.locator("main").inner_text()
    shot(page, "zh-account")
    page.click("a.lang-switch")
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{server.url}/")  # remembered
    assert page.locator("button[data-check]").inner_text() == "Check now"
    context.close()


def test_the_login_page(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{server.url}/accounts/alpha?range=24h")
    assert "/login?next=" in page.url
    assert page.locator('input[name="token"]').get_attribute("type") == "password"
    shot(page, "login")
    page.fill('input[name="token"]', "not-the-token")
    page.click('form[action="/login"] button')
    page.wait_for_selector(".error")
    assert "not right" in page.locator(".error").inner_text()
    shot(page, "login-wrong")
    page.fill('input[name="token"]', TOKEN)
    page.click('form[action="/login"] button')
    page.wait_for_url(re.compile(r"/accounts/alpha\?range=24h$"))
    assert TOKEN not in page.url
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["topup_token"]["httpOnly"] and cookies["topup_token"]["sameSite"] == "Strict"
    page.click("form.logout button")
    page.wait_for_url(re.compile(r"/login"))
    assert "topup_token" not in {c["name"] for c in context.cookies()}
    context.close()


def test_a_failed_check_is_reported_in_the_readers_language(browser: Any, server: Server) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    # The dashboard's own API answers 503 (a loopback route in the page, nothing reaches out).
    page.route("**/api/check", lambda route: route.fulfill(status=503, body="{}"))
    page.goto(f"{server.url}/accounts/alpha?token={TOKEN}")
    page.click("button[data-check]")
    page.wait_for_function("() => document.getElementById('check-status').textContent !== ''")
    status = page.locator("#check-status")
    assert status.inner_text() == "检查失败：HTTP 503"
    assert "error" in (status.get_attribute("class") or "")
    context.close()
