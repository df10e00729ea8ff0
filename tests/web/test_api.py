"""The JSON API against a real uvicorn server on loopback, over a real SQLite store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from topup.model import AMOUNT_FIELDS, RESULT_FIELDS
from topup.serialize import iso

from .support import Server

EXTRA = {
    "tags",
    "last_good",
    "last_good_at",
    "spend_per_day",
    "runway_days",
    "runs_out_at",
    "change_24h",
    "change_7d",
    "stale",
}


def test_accounts_have_the_check_json_shape_plus_extras(open_server: Server) -> None:
    with open_server.client() as c:
        doc = c.get("/api/accounts").json()
    rows = {a["account"]: a for a in doc["accounts"]}
    assert list(rows) == ["alpha", "bravo", "charlie", "delta", "echo", "unlim"]
    for row in rows.values():
        assert list(row)[: len(RESULT_FIELDS)] == list(RESULT_FIELDS)
        assert set(row) == set(RESULT_FIELDS) | EXTRA

    alpha = rows["alpha"]
    assert alpha["status"] == "ok" and alpha["currency"] == "CNY"
    assert Decimal(alpha["balance"]) == Decimal("108")  # 100 - 168*0.25 + 50
    assert alpha["stale"] is False
    # 0.25 per hour, the top-up excluded: 165 decreases over the 166 h the window's points span.
    spend = Decimal("41.25") * 24 / 166
    assert Decimal(alpha["spend_per_day"]) == spend.quantize(Decimal("0.000001"))
    assert Decimal(alpha["runway_days"]) == (Decimal(108) / spend).quantize(Decimal("0.01"))
    # The server's now is a moment after seeding: the check 24 h old is just inside the day.
    assert Decimal(alpha["change_24h"]) == Decimal("-5.75")

    charlie = rows["charlie"]  # failed last: no amounts in the result, last good kept
    assert charlie["status"] == "unreachable"
    assert charlie["balance"] is None and charlie["currency"] is None
    assert charlie["message"] == "connection refused by relay.example.com"
    assert Decimal(charlie["last_good"]["balance"]) == Decimal("5.3")
    assert charlie["last_good_at"] is not None

    assert rows["delta"]["stale"] is True and rows["delta"]["status"] == "ok"
    # Decided once (topup.attention), not left null as stored results are.
    assert alpha["low"] is False and alpha["attention"] == []
    assert charlie["low"] is False and charlie["attention"] == ["failing", "runway", "stale"]
    assert rows["delta"]["attention"] == ["stale"]
    echo = rows["echo"]  # never checked: unknown, not zero
    assert echo["status"] is None and echo["balance"] is None and echo["last_good"] is None
    assert rows["unlim"]["unlimited"] is True and rows["unlim"]["runway_days"] is None

    totals = {t["currency"]: t for t in doc["totals"]}
    assert Decimal(totals["CNY"]["balance"]) == Decimal("108")
    assert totals["USD"]["accounts"] == 3  # bravo, charlie (last good), delta
    assert doc["unknown"] == 1  # echo


def test_one_account_and_404(open_server: Server) -> None:
    with open_server.client() as c:
        one = c.get("/api/accounts/bravo")
        assert one.status_code == 200
        assert one.json()["account"] == "bravo"
        assert Decimal(one.json()["balance"]) == Decimal("16.4")
        missing = c.get("/api/accounts/nope")
        assert missing.status_code == 404
        assert c.get("/api/accounts/nope/history").status_code == 404
        assert c.post("/api/check", json={"accounts": ["nope"]}).status_code == 404
        page = c.get("/accounts/<nope>")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "No account named &#39;&lt;nope&gt;&#39;" in page.text  # escaped, in a page
        chinese = c.get("/accounts/nope", headers={"accept-language": "zh-CN"})
        assert chinese.status_code == 404 and "没有名为" in chinese.text


def test_history_points_checks_and_alerts(open_server: Server) -> None:
    with open_server.client() as c:
        week = c.get("/api/accounts/alpha/history", params={"since": "7d"}).json()
        day = c.get("/api/accounts/alpha/history", params={"since": "24h"}).json()
        since = iso(open_server.now - timedelta(hours=10))
        iso_since = c.get("/api/accounts/alpha/history", params={"since": since}).json()
        bad = c.get("/api/accounts/alpha/history", params={"since": "yesterday-ish"})
    # The first check is a moment older than 7 days; its point is included as the prior one.
    assert len(week["points"]) == 168 and len(week["checks"]) == 167
    assert len(day["checks"]) == 23
    assert len(day["points"]) == 24  # the point in effect at the window start is included
    assert len(iso_since["checks"]) == 10
    assert [a["kind"] for a in week["alerts"]] == ["fired", "recovered"]
    assert week["points"][-1]["balance"] == "108"
    assert bad.status_code == 422


def test_check_now_returns_check_json_document(open_server: Server) -> None:
    with open_server.client() as c:
        r = c.post("/api/check", json={"accounts": ["bravo"]})
        assert r.status_code == 200
        doc = r.json()
        assert set(doc) == {"checked_at", "results"}
        assert [list(x) for x in doc["results"]] == [list(RESULT_FIELDS)]
        assert doc["results"][0]["account"] == "bravo"
        after = c.get("/api/accounts/bravo").json()
        assert after["balance"] == doc["results"][0]["balance"]
        everything = c.post("/api/check")
        assert everything.status_code == 200
    assert open_server.sandbox.calls[-2:] == [["bravo"], None]


def test_openapi_document(open_server: Server) -> None:
    with open_server.client() as c:
        doc = c.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert {"/api/accounts", "/api/accounts/{name}", "/api/accounts/{name}/history"} <= set(paths)
    assert "post" in paths["/api/check"]
    assert "AccountOut" in doc["components"]["schemas"]


def test_static_assets_are_served_by_the_app(open_server: Server) -> None:
    with open_server.client() as c:
        page = c.get("/").text
        for asset in ("/static/topup.css", "/static/topup.js", "/static/favicon.svg"):
            assert asset in page
            assert c.get(asset).status_code == 200
    assert "http://" not in page.replace(open_server.url, "")
    assert "https://" not in page


def test_openapi_schemas_derive_from_the_amounts(open_server: Server) -> None:
    with open_server.client() as c:
        schemas = c.get("/openapi.json").json()["components"]["schemas"]
    result, point, account = schemas["Result"], schemas["Point"], schemas["AccountOut"]
    assert list(result["properties"]) == list(RESULT_FIELDS)
    assert set(result["required"]) == set(RESULT_FIELDS)
    assert list(point["properties"]) == ["at", *AMOUNT_FIELDS]
    assert list(account["properties"])[: len(RESULT_FIELDS)] == list(RESULT_FIELDS)
    assert set(account["properties"]) == set(RESULT_FIELDS) | EXTRA | {"summary_pending"}

    def types(prop: dict[str, Any]) -> set[str]:
        return {t["type"] for t in prop.get("anyOf", [prop])}

    for name in ("balance", "granted", "paid", "used", "expires_at"):  # decimal/time strings
        assert types(point["properties"][name]) == {"string", "null"}, name
        assert types(result["properties"][name]) == {"string", "null"}, name
    assert types(point["properties"]["unlimited"]) == {"boolean"}
    assert types(point["properties"]["request_count"]) == {"integer", "null"}


def test_history_points_have_every_amount(open_server: Server) -> None:
    with open_server.client() as c:
        week = c.get("/api/accounts/alpha/history", params={"since": "7d"}).json()
        alpha = c.get("/api/accounts/alpha").json()
    assert all(list(p) == ["at", *AMOUNT_FIELDS] for p in week["points"])
    assert list(alpha["last_good"]) == ["at", *AMOUNT_FIELDS]
