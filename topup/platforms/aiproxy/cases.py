"""AIProxy's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503

P = "/api/report/getUserOverview"
KEY = {"api_key": "ap-test-key-0001"}


def ok(points: object) -> dict[str, object]:
    return {"success": True, "message": "", "error_code": 0, "data": {"totalPoints": points}}


def refused(message: str, code: int) -> dict[str, object]:
    return {"success": False, "message": message, "error_code": code, "data": None}


CASES: tuple[Case, ...] = (
    Case(
        "points, key sent in Api-Key (not Authorization)",
        KEY,
        (
            Exchange(
                P,
                json=ok(Decimal("1234.56")),
                expect_headers={"api-key": "ap-test-key-0001"},
            ),
        ),
        {"status": "ok", "currency": "POINTS", "balance": "1234.56", "scope": "account"},
    ),
    Case(
        "integer points",
        KEY,
        (Exchange(P, json=ok(800)),),
        {"status": "ok", "currency": "POINTS", "balance": "800"},
    ),
    Case(
        "zero points reported plainly is a value",
        KEY,
        (Exchange(P, json=ok(0)),),
        {"status": "ok", "balance": "0"},
    ),
    Case(
        "success false for an unknown key under HTTP 200",
        KEY,
        (Exchange(P, json=refused("Invalid API Key", 401)),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "success false for another reason is a bad response",
        KEY,
        (Exchange(P, json=refused("system error", 500)),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "success missing is not success",
        KEY,
        (Exchange(P, json={"data": {"totalPoints": 5}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "totalPoints missing is unknown, never 0",
        KEY,
        (Exchange(P, json={"success": True, "message": "", "error_code": 0, "data": {}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "HTTP 401 with a text body",
        KEY,
        (Exchange(P, status=401, text="Unauthorized"),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "404: wrong base_url",
        {**KEY, "base_url": "https://example.com/aiproxy"},
        (Exchange("/aiproxy" + P, status=404, text="404 page not found"),),
        {"status": "bad_response"},
    ),
    Case(
        "502 bad gateway",
        KEY,
        (Exchange(P, status=502, text="Bad Gateway"),),
        {"status": "unavailable"},
    ),
    html_503(P, KEY, name="503 nginx page", staged={"points": "1"}, balance=None),
    Case(
        "HTML login page under HTTP 200",
        KEY,
        (
            Exchange(
                P,
                text="<!DOCTYPE html><html><title>AIProxy</title></html>",
                headers={"content-type": "text/html"},
            ),
        ),
        {"status": "bad_response"},
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "points, key sent in Api-Key (not Authorization)": Staged(account={"points": "1234.56"}),
    "zero points reported plainly is a value": Staged(account={"points": "0"}),
    "success false for an unknown key under HTTP 200": Staged(
        account={"points": "1"}, config={"api_key": "ap-not-known"}
    ),
    "success false for another reason is a bad response": Staged(
        account={"points": "1"}, fault={"kind": "success_false"}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
