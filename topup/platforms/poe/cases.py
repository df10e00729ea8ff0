"""Poe's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503, truncated_json

P = "/usage/current_balance"
KEY = {"api_key": "poe-test-key-0001"}


def poe_error(message: str, kind: str, code: str | None) -> dict[str, object]:
    return {"error": {"message": message, "type": kind, "code": code}}


CASES: tuple[Case, ...] = (
    Case(
        "documented answer: points, sent as Bearer",
        KEY,
        (
            Exchange(
                P,
                json={"current_point_balance": 2500},
                expect_headers={"authorization": "Bearer poe-test-key-0001"},
            ),
        ),
        {"status": "ok", "currency": "POINTS", "balance": "2500", "used": None, "scope": "account"},
    ),
    Case(
        "zero points reported plainly is a value",
        KEY,
        (Exchange(P, json={"current_point_balance": 0}),),
        {"status": "ok", "currency": "POINTS", "balance": "0"},
    ),
    Case(
        "a base_url pasted with /v1 is not doubled",
        {**KEY, "base_url": "https://api.poe.com/v1"},
        (Exchange("/v1/usage/current_balance", json={"current_point_balance": 12}),),
        {"status": "ok", "balance": "12"},
    ),
    Case(
        "missing balance is unknown, never 0",
        KEY,
        (Exchange(P, json={"email": "someone@example.com"}),),
        {"status": "bad_response", "balance": None, "currency": None},
    ),
    Case(
        "null balance is unknown, never 0",
        KEY,
        (Exchange(P, json={"current_point_balance": None}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "401 invalid API key",
        KEY,
        (
            Exchange(
                P,
                status=401,
                json=poe_error(
                    "Invalid API key provided", "invalid_request_error", "invalid_api_key"
                ),
            ),
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "403 key without the permission",
        KEY,
        (
            Exchange(
                P,
                status=403,
                json=poe_error(
                    "This API key is not allowed to read usage", "permission_error", None
                ),
            ),
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "402 points used up is exhausted",
        KEY,
        (
            Exchange(
                P,
                status=402,
                json=poe_error("Insufficient points", "insufficient_credits", None),
            ),
        ),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "error envelope under HTTP 200",
        KEY,
        (
            Exchange(
                P, json={"error": {"message": "Internal server error", "type": "server_error"}}
            ),
        ),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "429 rate limited",
        KEY,
        (
            Exchange(
                P,
                status=429,
                json=poe_error("Rate limit exceeded", "rate_limit_error", None),
                headers={"retry-after": "2"},
            ),
        ),
        {"status": "rate_limited"},
    ),
    html_503(P, KEY, name="503 service unavailable", staged={"points": 5}, balance=None),
    truncated_json(P, KEY, '{"current_point_bal', name="truncated JSON", staged={"points": 5}),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "documented answer: points, sent as Bearer": Staged(account={"points": 2500}),
    "zero points reported plainly is a value": Staged(account={"points": 0}),
    "401 invalid API key": Staged(account={"points": 5}, config={"api_key": "poe-not-known"}),
    "403 key without the permission": Staged(account={"points": 5, "status": 2}),
    "error envelope under HTTP 200": Staged(account={"points": 5}, fault={"kind": "success_false"}),
    "429 rate limited": Staged(
        account={"points": 5}, fault={"kind": "rate_limit", "retry_after": 0}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
