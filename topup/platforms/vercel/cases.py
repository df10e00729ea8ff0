"""Vercel AI Gateway's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503, truncated_json

KEY = {"api_key": "vck_test_0001"}
ERROR_401 = {"error": {"message": "Invalid API key", "type": "authentication_error"}}

CASES: tuple[Case, ...] = (
    Case(
        "documented example: decimal strings, USD",
        KEY,
        (
            Exchange(
                "/v1/credits",
                json={"balance": "95.50", "total_used": "4.50"},
                expect_headers={"authorization": "Bearer vck_test_0001"},
            ),
        ),
        {"status": "ok", "currency": "USD", "balance": "95.50", "used": "4.50", "scope": "account"},
    ),
    Case(
        "amounts as JSON numbers",
        KEY,
        (Exchange("/v1/credits", json={"balance": 12.345678, "total_used": 0}),),
        {"status": "ok", "balance": "12.345678", "used": "0"},
    ),
    Case(
        "a negative balance is a value",
        KEY,
        (Exchange("/v1/credits", json={"balance": "-0.42", "total_used": "100.42"}),),
        {"status": "ok", "balance": "-0.42", "used": "100.42"},
    ),
    Case(
        "a base URL pasted with /v1 is not doubled",
        {**KEY, "base_url": "https://ai-gateway.vercel.sh/v1"},
        (Exchange("/v1/credits", json={"balance": "1", "total_used": "2"}),),
        {"status": "ok", "balance": "1"},
    ),
    Case(
        "missing balance is a bad response, never zero",
        KEY,
        (Exchange("/v1/credits", json={"total_used": "4.50"}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "balance that is not a number",
        KEY,
        (Exchange("/v1/credits", json={"balance": "n/a", "total_used": "0"}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "401 invalid key",
        KEY,
        (Exchange("/v1/credits", status=401, json=ERROR_401),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "error object under HTTP 200",
        KEY,
        (Exchange("/v1/credits", json={"error": {"message": "internal error"}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "429 rate limited",
        KEY,
        (
            Exchange(
                "/v1/credits",
                status=429,
                json={"error": {"message": "Rate limit exceeded", "type": "rate_limit_exceeded"}},
                headers={"retry-after": "1"},
            ),
        ),
        {"status": "rate_limited"},
    ),
    html_503(
        "/v1/credits",
        KEY,
        name="503 HTML page",
        text="<html><title>503 Service Unavailable</title></html>",
        staged={"paid": "1"},
        balance=None,
    ),
    truncated_json(
        "/v1/credits",
        KEY,
        '{"balance":"95.5',
        name="truncated JSON",
        staged={"paid": "1"},
        balance=None,
    ),
)

STAGED: dict[str, Staged] = {
    "documented example: decimal strings, USD": Staged(account={"paid": "95.50", "used": "4.50"}),
    "a negative balance is a value": Staged(account={"paid": "-0.42", "used": "100.42"}),
    "401 invalid key": Staged(account={"paid": "1"}, config={"api_key": "vck_not_known"}),
    "error object under HTTP 200": Staged(account={"paid": "1"}, fault={"kind": "success_false"}),
    "429 rate limited": Staged(
        account={"paid": "1"}, fault={"kind": "rate_limit", "retry_after": 0}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
