"""PPIO's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503, truncated_json

KEY = "sk_test-ppio-0001"
PATH = "/v3/user"


def answer(
    body: object, *, status: int = 200, expect_headers: dict[str, str] | None = None
) -> tuple[Exchange, ...]:
    return (Exchange(PATH, status=status, json=body, expect_headers=expect_headers or {}),)


INVALID_KEY = {"code": 403, "reason": "INVALID_API_KEY", "message": "invalid api-key"}

FUNDED = {"balance": "123.45"}

CASES: tuple[Case, ...] = (
    Case(
        "credit_balance is in 1/10000 CNY; the documented Bearer form is sent",
        {"api_key": KEY},
        answer({"credit_balance": 1234500}, expect_headers={"authorization": f"Bearer {KEY}"}),
        {
            "status": "ok",
            "currency": "CNY",
            "balance": "123.45",
            "granted": None,
            "paid": None,
            "message": None,
        },
    ),
    Case(
        "a fractional unit count is read exactly",
        {"api_key": KEY},
        answer({"credit_balance": Decimal("12345.5")}),
        {"status": "ok", "balance": "1.23455"},
    ),
    Case(
        "a zero balance is a known zero",
        {"api_key": KEY},
        answer({"credit_balance": 0}),
        {"status": "ok", "currency": "CNY", "balance": "0"},
    ),
    Case(
        "a negative balance is a value",
        {"api_key": KEY},
        answer({"credit_balance": -2500}),
        {"status": "ok", "balance": "-0.25"},
    ),
    Case(
        "the account's currency overrides CNY",
        {"api_key": KEY, "currency": "USD"},
        answer({"credit_balance": 10000}),
        {"status": "ok", "currency": "USD", "balance": "1"},
    ),
    Case(
        "an OpenAI-compatible base URL reaches /v3/user at the host root",
        {"api_key": KEY, "base_url": "https://api.ppinfra.com/v3/openai"},
        answer({"credit_balance": 10000}),
        {"status": "ok", "balance": "1"},
    ),
    Case(
        "no credit_balance is a bad response, never zero",
        {"api_key": KEY},
        answer({"user_id": "u-1"}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "400 MISSING_API_KEY is an auth error",
        {"api_key": KEY},
        answer({"code": 400, "reason": "MISSING_API_KEY"}, status=400),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "403 INVALID_API_KEY",
        {"api_key": KEY},
        answer(INVALID_KEY, status=403),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "NOT_ENOUGH_BALANCE is exhausted",
        {"api_key": KEY},
        answer(
            {"code": 403, "reason": "NOT_ENOUGH_BALANCE", "message": "not enough balance"},
            status=403,
        ),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "a failure envelope under HTTP 200 is a bad response",
        {"api_key": KEY},
        answer({"code": 500, "reason": "SERVICE_NOT_AVAILABLE", "message": "try later"}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "429 is rate limited",
        {"api_key": KEY},
        answer({"code": 429, "reason": "RATE_LIMIT_EXCEEDED", "message": "slow down"}, status=429),
        {"status": "rate_limited"},
    ),
    html_503(PATH, {"api_key": KEY}, staged=FUNDED, balance=None),
    truncated_json(PATH, {"api_key": KEY}, '{"credit_bal', staged=FUNDED, balance=None),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "credit_balance is in 1/10000 CNY; the documented Bearer form is sent": Staged(account=FUNDED),
    "a zero balance is a known zero": Staged(account={"balance": "0"}),
    "a negative balance is a value": Staged(account={"balance": "-0.25"}),
    "the account's currency overrides CNY": Staged(
        account={"balance": "1"}, config={"currency": "USD"}
    ),
    "403 INVALID_API_KEY": Staged(account=FUNDED, config={"api_key": "sk_not-a-ppio-key"}),
    "a failure envelope under HTTP 200 is a bad response": Staged(
        account=FUNDED, fault={"kind": "success_false"}
    ),
    "429 is rate limited": Staged(account=FUNDED, fault={"kind": "rate_limit", "retry_after": 0}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
