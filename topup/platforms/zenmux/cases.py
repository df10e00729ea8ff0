"""ZenMux's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import truncated_json

PATH = "/api/v1/management/payg/balance"
KEY = {"api_key": "sk-mg-v1-test0001"}


def ok(**data: Any) -> dict[str, Any]:
    return {"success": True, "data": {"currency": "usd", **data}}


CASES: tuple[Case, ...] = (
    Case(
        "documented example: total, top-up and bonus credits",
        KEY,
        (
            Exchange(
                PATH,
                json=ok(total_credits=482.74, top_up_credits=35.00, bonus_credits=447.74),
                expect_headers={"authorization": "Bearer sk-mg-v1-test0001"},
            ),
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "482.74",
            "paid": "35.00",
            "granted": "447.74",
            "scope": "account",
        },
    ),
    Case(
        "a zero balance is a value",
        KEY,
        (Exchange(PATH, json=ok(total_credits=0, top_up_credits=0, bonus_credits=0)),),
        {"status": "ok", "balance": "0"},
    ),
    Case(
        "only the total: the parts stay unknown",
        KEY,
        (Exchange(PATH, json=ok(total_credits="12.5")),),
        {"status": "ok", "balance": "12.5", "paid": None, "granted": None},
    ),
    Case(
        "missing total_credits is a bad response, never zero",
        KEY,
        (Exchange(PATH, json=ok(top_up_credits=1, bonus_credits=2)),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "a currency that is not a code is a bad response",
        KEY,
        (Exchange(PATH, json={"success": True, "data": {"currency": 1, "total_credits": 3}}),),
        {"status": "bad_response"},
    ),
    Case(
        "success false under HTTP 200",
        KEY,
        (
            Exchange(
                PATH,
                json={
                    "success": False,
                    "error": {"code": "500", "type": "internal_server_error", "message": "x"},
                },
            ),
        ),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "403 access_denied: invalid key, or an ordinary API key",
        KEY,
        (
            Exchange(
                PATH,
                status=403,
                json={
                    "error": {
                        "code": "403",
                        "type": "access_denied",
                        "message": "You have no permission to access this resource",
                    }
                },
            ),
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "422: the management API's rate limit",
        KEY,
        (
            Exchange(
                PATH,
                status=422,
                json={"error": {"code": "422", "type": "rate_limit", "message": "Rate limit"}},
            ),
        ),
        {"status": "rate_limited"},
    ),
    Case(
        "504 gateway timeout",
        KEY,
        (Exchange(PATH, status=504, text="<html><title>504 Gateway Time-out</title></html>"),),
        {"status": "unavailable"},
    ),
    truncated_json(
        PATH,
        KEY,
        '{"success":true,"data":{"total_cr',
        name="truncated JSON",
        staged={"paid": "1"},
        balance=None,
    ),
)

STAGED: dict[str, Staged] = {
    "documented example: total, top-up and bonus credits": Staged(
        account={"paid": "35.00", "granted": "447.74"}
    ),
    "a zero balance is a value": Staged(account={}),
    "success false under HTTP 200": Staged(account={"paid": "1"}, fault={"kind": "success_false"}),
    "403 access_denied: invalid key, or an ordinary API key": Staged(
        account={"paid": "1"}, config={"api_key": "sk-ai-v1-ordinary"}
    ),
    "422: the management API's rate limit": Staged(
        account={"paid": "1"}, fault={"kind": "rate_limit"}
    ),
    "504 gateway timeout": Staged(account={"paid": "1"}, fault={"kind": "gateway_timeout"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
