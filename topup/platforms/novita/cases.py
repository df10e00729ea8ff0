"""Novita's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503, truncated_json

KEY = "sk_test-novita-0001"
PATH = "/openapi/v1/billing/balance/detail"


def detail(available: str, cash: str, credit: str, owed: str = "0") -> dict[str, str]:
    return {
        "availableBalance": available,
        "cashBalance": cash,
        "creditLimit": credit,
        "pendingCharges": "0",
        "outstandingInvoices": owed,
    }


def answer(
    body: object, *, status: int = 200, expect_headers: dict[str, str] | None = None
) -> tuple[Exchange, ...]:
    return (Exchange(PATH, status=status, json=body, expect_headers=expect_headers or {}),)


INVALID_KEY = {"code": 403, "reason": "INVALID_API_KEY", "message": "invalid api-key"}

FUNDED = {"cash": "80", "credit_limit": "20"}

CASES: tuple[Case, ...] = (
    Case(
        "documented example: 1000000 units are 100 USD, credit line included and said",
        {"api_key": KEY},
        answer(
            detail("1000000", "800000", "200000"),
            expect_headers={"authorization": f"Bearer {KEY}"},
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "100",
            "paid": "80",
            "granted": None,
            "message": "includes a credit line of 20.00 USD; cash 80.00 USD",
        },
    ),
    Case(
        "no credit line: no message",
        {"api_key": KEY},
        answer(detail("123456", "123456", "0")),
        {"status": "ok", "balance": "12.3456", "paid": "12.3456", "message": None},
    ),
    Case(
        "drawing on the credit line: negative cash is a value, what is owed is said",
        {"api_key": KEY},
        answer(detail("150000", "-50000", "200000", owed="50000")),
        {"status": "ok", "balance": "15", "paid": "-5"},
    ),
    Case(
        "amounts as numbers are read too",
        {"api_key": KEY},
        answer({"availableBalance": 25000, "cashBalance": 25000}),
        {"status": "ok", "balance": "2.5", "paid": "2.5"},
    ),
    Case(
        "an OpenAI-compatible base URL reaches the balance at the host root",
        {"api_key": KEY, "base_url": "https://api.novita.ai/v3/openai"},
        answer(detail("10000", "10000", "0")),
        {"status": "ok", "balance": "1"},
    ),
    Case(
        "the account's currency overrides USD",
        {"api_key": KEY, "currency": "EUR"},
        answer(detail("10000", "10000", "0")),
        {"status": "ok", "currency": "EUR", "balance": "1"},
    ),
    Case(
        "no availableBalance is a bad response, never zero",
        {"api_key": KEY},
        answer({"cashBalance": "800000"}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "403 INVALID_API_KEY",
        {"api_key": KEY},
        answer(INVALID_KEY, status=403),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "401 for a wrong key (the error guide's status)",
        {"api_key": KEY},
        answer(
            {"code": 401, "reason": "INVALID_API_KEY", "message": "invalid api-key"}, status=401
        ),
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
        "429 RATE_LIMIT_EXCEEDED is rate limited",
        {"api_key": KEY},
        answer({"code": 429, "reason": "RATE_LIMIT_EXCEEDED", "message": "slow down"}, status=429),
        {"status": "rate_limited"},
    ),
    html_503(PATH, {"api_key": KEY}, staged=FUNDED, balance=None),
    truncated_json(
        PATH,
        {"api_key": KEY},
        '{"availableBalance":"1000000","cashBal',
        staged=FUNDED,
        balance=None,
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "documented example: 1000000 units are 100 USD, credit line included and said": Staged(
        account=FUNDED
    ),
    "no credit line: no message": Staged(account={"cash": "12.3456"}),
    "drawing on the credit line: negative cash is a value, what is owed is said": Staged(
        account={"cash": "-5", "credit_limit": "20"}
    ),
    "the account's currency overrides USD": Staged(
        account={"cash": "1"}, config={"currency": "EUR"}
    ),
    "403 INVALID_API_KEY": Staged(account=FUNDED, config={"api_key": "sk_not-a-novita-key"}),
    "a failure envelope under HTTP 200 is a bad response": Staged(
        account=FUNDED, fault={"kind": "success_false"}
    ),
    "429 RATE_LIMIT_EXCEEDED is rate limited": Staged(
        account=FUNDED, fault={"kind": "rate_limit", "retry_after": 0}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
