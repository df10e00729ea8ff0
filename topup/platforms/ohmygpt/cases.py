"""OhMyGPT's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged

P = "/api/v1/user/admin/balance"
KEY = {"api_key": "sk-ohmygpt-admin-0001"}


def answer(balance: str, free: str = "0.00") -> dict[str, object]:
    return {
        "statusCode": 200,
        "message": "get user balance success",
        "data": {"balance": balance, "free_balance": free},
    }


CASES: tuple[Case, ...] = (
    Case(
        "documented example: unit unknown, so no currency",
        KEY,
        (
            Exchange(
                P,
                json=answer("8217.00"),
                expect_headers={"authorization": "Bearer sk-ohmygpt-admin-0001"},
            ),
        ),
        {"status": "ok", "currency": None, "balance": "8217.00", "granted": "0.00"},
    ),
    Case(
        "declared unit: currency with quota_per_unit converts",
        {**KEY, "currency": "CNY", "quota_per_unit": "34000"},
        (Exchange(P, json=answer("68000.00", "3400.00")),),
        {"status": "ok", "currency": "CNY", "balance": "2", "granted": "0.1"},
    ),
    Case(
        "declared currency alone: numbers as answered",
        {**KEY, "currency": "usd"},
        (Exchange(P, json=answer("12.50")),),
        {"status": "ok", "currency": "USD", "balance": "12.50"},
    ),
    Case(
        "a mirror host as base_url",
        {**KEY, "base_url": "https://cfwus02.opapi.win"},
        (Exchange(P, json=answer("1.00", "500.00")),),
        {"status": "ok", "balance": "1.00", "granted": "500.00"},
    ),
    Case(
        "zero reported plainly is a value",
        KEY,
        (Exchange(P, json=answer("0.00")),),
        {"status": "ok", "balance": "0.00"},
    ),
    Case(
        "missing balance is unknown, never 0",
        KEY,
        (Exchange(P, json={"statusCode": 200, "message": "ok", "data": {"free_balance": "1"}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "statusCode 401 under HTTP 200",
        KEY,
        (Exchange(P, json={"statusCode": 401, "message": "Unauthorized"}),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "HTTP 401 (the documented refusal)",
        KEY,
        (Exchange(P, status=401, json={"statusCode": 401, "message": "Unauthorized"}),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "HTTP 403: key without admin permission",
        KEY,
        (
            Exchange(
                P,
                status=403,
                json={"statusCode": 403, "message": "This API key has no admin permission"},
            ),
        ),
        {"status": "auth_error"},
    ),
    Case(
        "statusCode 500 under HTTP 200",
        KEY,
        (Exchange(P, json={"statusCode": 500, "message": "Internal Server Error"}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "amount that is not a number",
        KEY,
        (Exchange(P, json=answer("N/A")),),
        {"status": "bad_response"},
    ),
    Case(
        "Cloudflare 524 page",
        KEY,
        (
            Exchange(
                P,
                status=524,
                text="<!DOCTYPE html><html><title>A timeout occurred</title></html>",
                headers={"content-type": "text/html"},
            ),
        ),
        {"status": "unavailable"},
    ),
    Case(
        "429 rate limited",
        KEY,
        (Exchange(P, status=429, text="Too Many Requests"),),
        {"status": "rate_limited"},
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "documented example: unit unknown, so no currency": Staged(account={"balance": "8217.00"}),
    "declared unit: currency with quota_per_unit converts": Staged(
        account={"balance": "68000", "free_balance": "3400"},
        config={"currency": "CNY", "quota_per_unit": "34000"},
    ),
    "HTTP 401 (the documented refusal)": Staged(
        account={"balance": "1"}, config={"api_key": "sk-not-known"}
    ),
    "HTTP 403: key without admin permission": Staged(account={"balance": "1", "status": 2}),
    "statusCode 500 under HTTP 200": Staged(
        account={"balance": "1"}, fault={"kind": "success_false"}
    ),
    "429 rate limited": Staged(account={"balance": "1"}, fault={"kind": "rate_limit"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)
