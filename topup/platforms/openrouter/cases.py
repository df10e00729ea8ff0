"""OpenRouter's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from topup.platforms.base import Case, Exchange, Staged

CREDITS = "/api/v1/credits"  # under the default base URL https://openrouter.ai/api
KEY_PATH = "/api/v1/key"
KEY = {"api_key": "sk-or-v1-test0001"}
FORBIDDEN = {"error": {"code": 403, "message": "Only management keys can perform this operation"}}


def key_data(**fields: Any) -> dict[str, Any]:
    """A ``/v1/key`` answer: an unlimited key with no usage, changed by ``fields``."""
    data = {
        "label": "sk-or-v1-116...0ce",
        "limit": None,
        "limit_reset": None,
        "limit_remaining": None,
        "include_byok_in_limit": False,
        "usage": 0,
        "usage_daily": 0,
        "usage_weekly": 0,
        "usage_monthly": 0,
        "is_free_tier": False,
    }
    return {"data": {**data, **fields}}


def forbidden_then_key(**fields: Any) -> tuple[Exchange, ...]:
    return (
        Exchange(CREDITS, status=403, json=FORBIDDEN),
        Exchange(KEY_PATH, json=key_data(**fields)),
    )


#: The trap: a monthly limit of 500 with 433.29 spent in all and 45.46 this month leaves
#: 454.54 (limit_remaining); the naive limit - usage would say 66.71.
MONTHLY = {
    "limit": 500,
    "limit_reset": "monthly",
    "limit_remaining": 454.54,
    "usage": 433.29,
    "usage_daily": 1.5,
    "usage_weekly": 12.25,
    "usage_monthly": 45.46,
}

CASES: tuple[Case, ...] = (
    Case(
        "management key: documented example, credits minus usage",
        KEY,
        (
            Exchange(
                CREDITS,
                json={"data": {"total_credits": 100.5, "total_usage": 25.75}},
                expect_headers={"authorization": "Bearer sk-or-v1-test0001"},
            ),
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "74.75",
            "used": "25.75",
            "scope": "account",
        },
    ),
    Case(
        "usage above credits: a negative balance is a value",
        KEY,
        (Exchange(CREDITS, json={"data": {"total_credits": 10, "total_usage": 10.004}}),),
        {"status": "ok", "balance": "-0.004"},
    ),
    Case(
        "free tier: zeros on /credits are values, not a dead key",
        KEY,
        (Exchange(CREDITS, json={"data": {"total_credits": 0, "total_usage": 0}}),),
        {"status": "ok", "balance": "0", "used": "0", "scope": "account"},
    ),
    Case(
        "ordinary key: 403 on /credits, then its monthly limit (not limit - usage)",
        KEY,
        forbidden_then_key(**MONTHLY),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "454.54",
            "limit": "500",
            "period": "monthly",
            "used": "45.46",
            "scope": "key",
        },
    ),
    Case(
        "ordinary key with no limit: unlimited, lifetime usage",
        KEY,
        forbidden_then_key(usage=12.5, usage_monthly=2),
        {
            "status": "ok",
            "unlimited": True,
            "balance": None,
            "limit": None,
            "used": "12.5",
            "scope": "key",
        },
    ),
    Case(
        "a one-off limit: lifetime usage, no period",
        KEY,
        (
            Exchange(
                CREDITS,
                status=401,
                json={"error": {"code": 401, "message": "User not found."}},
            ),
            Exchange(
                KEY_PATH, json=key_data(limit=5, limit_remaining=4.8984355238, usage=0.1015644762)
            ),
        ),
        {
            "status": "ok",
            "balance": "4.8984355238",
            "limit": "5",
            "period": None,
            "used": "0.1015644762",
        },
    ),
    Case(
        "a daily limit overspent: negative limit_remaining is a value",
        KEY,
        forbidden_then_key(
            limit=2, limit_reset="daily", limit_remaining=-0.35, usage=80, usage_daily=2.35
        ),
        {"status": "ok", "balance": "-0.35", "period": "daily", "used": "2.35"},
    ),
    Case(
        "a limit without limit_remaining is a bad response, never limit - usage",
        KEY,
        forbidden_then_key(limit=10, usage=3),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "an unknown reset period keeps the balance, shows no usage",
        KEY,
        forbidden_then_key(limit=10, limit_reset="yearly", limit_remaining=7, usage=3),
        {"status": "ok", "balance": "7", "period": None, "used": None},
    ),
    Case(
        "unknown key: 401 on both endpoints",
        KEY,
        (
            Exchange(
                CREDITS,
                status=401,
                json={"error": {"code": 401, "message": "User not found."}},
            ),
            Exchange(
                KEY_PATH, status=401, json={"error": {"code": 401, "message": "User not found."}}
            ),
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "402: no credits left",
        KEY,
        (
            Exchange(
                CREDITS,
                status=402,
                json={"error": {"code": 402, "message": "Insufficient credits"}},
            ),
        ),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "credits without total_usage is a bad response",
        KEY,
        (Exchange(CREDITS, json={"data": {"total_credits": 5}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "error object under HTTP 200",
        KEY,
        (Exchange(CREDITS, json={"error": {"code": 500, "message": "Internal Server Error"}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "429 rate limited",
        KEY,
        (
            Exchange(
                CREDITS,
                status=429,
                json={"error": {"code": 429, "message": "Rate limit exceeded"}},
                headers={"retry-after": "2"},
            ),
        ),
        {"status": "rate_limited"},
    ),
    Case(
        "502 from /key after the fallback",
        KEY,
        (
            Exchange(CREDITS, status=403, json=FORBIDDEN),
            Exchange(KEY_PATH, status=502, json={"error": {"code": 502, "message": "Bad gateway"}}),
        ),
        {"status": "unavailable"},
    ),
)

STAGED: dict[str, Staged] = {
    "management key: documented example, credits minus usage": Staged(
        account={"credits": "100.5", "usage": "25.75"}
    ),
    "usage above credits: a negative balance is a value": Staged(
        account={"credits": "10", "usage": "10.004"}
    ),
    "free tier: zeros on /credits are values, not a dead key": Staged(account={}),
    "ordinary key: 403 on /credits, then its monthly limit (not limit - usage)": Staged(
        key={k: str(v) for k, v in MONTHLY.items() if k != "limit_remaining"}
    ),
    "ordinary key with no limit: unlimited, lifetime usage": Staged(
        key={"usage": "12.5", "usage_monthly": "2"}
    ),
    "a daily limit overspent: negative limit_remaining is a value": Staged(
        key={"limit": "2", "limit_reset": "daily", "usage": "80", "usage_daily": "2.35"}
    ),
    "unknown key: 401 on both endpoints": Staged(
        account={}, config={"api_key": "sk-or-v1-unknown"}
    ),
    "error object under HTTP 200": Staged(
        account={"credits": "1"}, fault={"kind": "success_false"}
    ),
    "429 rate limited": Staged(
        account={"credits": "1"}, fault={"kind": "rate_limit", "retry_after": 0}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)
