"""Paging, sorting and filtering on ``/api/accounts`` and ``/``; totals stay over every account;
the cached document changes as soon as a check is written."""

from __future__ import annotations

from decimal import Decimal

from .support import Server


def test_a_page_of_accounts_keeps_totals_over_every_account(open_server: Server) -> None:
    with open_server.client() as c:
        full = c.get("/api/accounts").json()
        page = c.get("/api/accounts", params={"per_page": 2, "page": 2}).json()
    assert [a["account"] for a in page["accounts"]] == ["charlie", "delta"]
    assert page["totals"] == full["totals"] and page["unknown"] == full["unknown"]
    assert (page["page"], page["per_page"], page["pages"], page["matched"]) == (2, 2, 3, 6)
    assert page["total_accounts"] == full["total_accounts"] == 6
    assert sum(full["counts"].values()) == 6


def test_filters_and_sort_run_on_the_server(open_server: Server) -> None:
    with open_server.client() as c:
        failing = c.get("/api/accounts", params={"status": "failing"}).json()
        newapi = c.get("/api/accounts", params={"provider": "newapi", "sort": "name"}).json()
        text = c.get("/api/accounts", params={"q": "ALP"}).json()
        attention = c.get("/api/accounts", params={"attention": "true"}).json()
        by_balance = c.get("/api/accounts", params={"sort": "-balance"}).json()
        bad = c.get("/api/accounts", params={"sort": "secret"})
    assert [a["account"] for a in failing["accounts"]] == ["charlie"]
    assert [a["account"] for a in newapi["accounts"]] == ["bravo", "charlie", "unlim"]
    assert [a["account"] for a in text["accounts"]] == ["alpha"]
    assert text["filtered_totals"] == [t for t in text["filtered_totals"] if t["currency"] == "CNY"]
    names = {a["account"] for a in attention["accounts"]}
    assert {"charlie", "delta", "echo"} <= names
    balances = [a["last_good"]["balance"] for a in by_balance["accounts"] if a["last_good"]]
    known = [Decimal(b) for b in balances if b is not None]
    assert known == sorted(known, reverse=True)
    assert by_balance["accounts"][-1]["account"] in {"echo", "unlim"}  # unknown sorts last
    assert bad.status_code == 422 and "sort must be one of" in bad.json()["detail"]


def test_overview_pages_and_links_keep_the_filters(open_server: Server) -> None:
    with open_server.client() as c:
        html = c.get("/", params={"per_page": 2, "provider": "newapi"}).text
        last = c.get("/", params={"per_page": 2, "provider": "newapi", "page": 2}).text
    assert "page 1 of 2" in html and 'data-matched="3"' in html
    # the page's order (attention first, the default) is in its links too
    assert 'href="/?page=2&amp;per_page=2&amp;sort=attention&amp;provider=newapi"' in html
    assert 'data-account="charlie"' in html and 'data-account="unlim"' not in html
    assert 'data-account="unlim"' in last and "6 accounts" in html  # counts over all


def test_the_overview_puts_what_needs_attention_first(open_server: Server) -> None:
    with open_server.client() as c:
        html = c.get("/").text
        config = c.get("/", params={"sort": "config"}).text
        api = c.get("/api/accounts", params={"sort": "attention"}).json()
    order = [a["account"] for a in api["accounts"]]
    needing = [a["account"] for a in api["accounts"] if a["attention"]]
    assert order[: len(needing)] == needing  # every account needing attention comes first
    assert order[0] == "charlie"  # failing is the most urgent
    positions = [html.index(f'data-account="{n}"') for n in order]
    assert positions == sorted(positions)  # the page shows the API's attention order
    assert config.index('data-account="alpha"') < config.index('data-account="charlie"')
    assert 'data-need="stale"' not in html.split('data-account="delta"')[1].split("</tr>")[0]
    assert '<option value="attention" selected>' in html


def test_the_attention_filter_follows_the_attention_reasons(open_server: Server) -> None:
    with open_server.client() as c:
        needing = c.get("/api/accounts", params={"attention": "true"}).json()["accounts"]
        fine = c.get("/api/accounts", params={"attention": "false"}).json()["accounts"]
    assert needing and all(a["attention"] for a in needing)
    assert fine and not any(a["attention"] for a in fine)


def test_a_written_check_replaces_the_cached_document(open_server: Server) -> None:
    with open_server.client() as c:
        before = c.get("/api/accounts").json()
        metrics_before = c.get("/metrics").text
        assert c.post("/api/check", json={"accounts": ["bravo"]}).status_code == 200
        after = c.get("/api/accounts").json()
        metrics_after = c.get("/metrics").text
    old = {a["account"]: a for a in before["accounts"]}["bravo"]
    new = {a["account"]: a for a in after["accounts"]}["bravo"]
    assert new["checked_at"] != old["checked_at"]
    assert metrics_after != metrics_before
