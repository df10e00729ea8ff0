"""The dashboard in a real headless browser: Debian's chromium driven by Playwright.

Screenshots go to ``tests/artifacts/`` (gitignored).
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
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


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
    page.goto(f"{server.url}/?token={TOKEN}")
    assert page.url == f"{server.url}/"
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
