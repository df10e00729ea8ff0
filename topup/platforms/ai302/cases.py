"""302.AI's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged

PATH = "/dashboard/balance"
KEY = {"api_key": "sk-302-test-0001"}
REFUSED = {"error": {"err_code": -10001, "message": "Invalid API key", "type": "api_error"}}

CASES: tuple[Case, ...] = (
    Case(
        "balance as a decimal string, USD",
        KEY,
        (
            Exchange(
                PATH,
                json={"data": {"balance": "12.34"}},
                expect_headers={"authorization": "Bearer sk-302-test-0001"},
            ),
        ),
        {"status": "ok", "currency": "USD", "balance": "12.34", "scope": "account"},
    ),
    Case(
        "balance as a number, with code 0",
        KEY,
        (Exchange(PATH, json={"code": 0, "data": {"balance": 12.3}}),),
        {"status": "ok", "balance": "12.3"},
    ),
    Case(
        "a base URL pasted with /v1 still reaches /dashboard/balance",
        {**KEY, "base_url": "https://api.302.ai/v1"},
        (Exchange(PATH, json={"data": {"balance": "1.00"}}),),
        {"status": "ok", "balance": "1.00"},
    ),
    Case(
        "a negative balance is a value",
        KEY,
        (Exchange(PATH, json={"data": {"balance": "-0.0100"}}),),
        {"status": "ok", "balance": "-0.0100"},
    ),
    Case(
        "missing balance is a bad response, never zero",
        KEY,
        (Exchange(PATH, json={"data": {}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "code other than 0 under HTTP 200",
        KEY,
        (Exchange(PATH, json={"code": 500, "msg": "system busy", "data": None}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "error object under HTTP 200",
        KEY,
        (Exchange(PATH, json={"error": {"message": "internal error"}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "401: unknown key, or no balance permission",
        KEY,
        (Exchange(PATH, status=401, json=REFUSED),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "429 rate limited",
        KEY,
        (Exchange(PATH, status=429, json={"error": {"message": "Too Many Requests"}}),),
        {"status": "rate_limited"},
    ),
    Case(
        "an HTML page under HTTP 200 (a web route, not the API)",
        KEY,
        (
            Exchange(
                PATH,
                text="<!DOCTYPE html><html><title>302.AI</title></html>",
                headers={"content-type": "text/html"},
            ),
        ),
        {"status": "bad_response"},
    ),
    Case(
        "504 gateway timeout",
        KEY,
        (Exchange(PATH, status=504, text="<html><title>504 Gateway Time-out</title></html>"),),
        {"status": "unavailable"},
    ),
)

STAGED: dict[str, Staged] = {
    "balance as a decimal string, USD": Staged(account={"paid": "12.34"}),
    "a negative balance is a value": Staged(account={"paid": "-0.0100"}),
    "error object under HTTP 200": Staged(account={"paid": "1"}, fault={"kind": "success_false"}),
    "401: unknown key, or no balance permission": Staged(
        account={"paid": "1"}, config={"api_key": "sk-not-known"}
    ),
    "429 rate limited": Staged(
        account={"paid": "1"}, fault={"kind": "rate_limit", "retry_after": 0}
    ),
    "504 gateway timeout": Staged(account={"paid": "1"}, fault={"kind": "gateway_timeout"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)
