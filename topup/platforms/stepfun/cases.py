"""StepFun's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import truncated_json

KEY = "stepfun-test-key-0001"
PATH = "/v1/accounts"


def account(balance: str, cash: str, voucher: str, kind: str = "prepaid") -> dict[str, object]:
    return {
        "object": "account",
        "type": kind,
        "balance": Decimal(balance),
        "total_cash_balance": Decimal(cash),
        "total_voucher_balance": Decimal(voucher),
    }


def answer(
    body: object, *, status: int = 200, expect_headers: dict[str, str] | None = None
) -> tuple[Exchange, ...]:
    return (Exchange(PATH, status=status, json=body, expect_headers=expect_headers or {}),)


FUNDED = {"balance": "150", "total_cash_balance": "200", "total_voucher_balance": "50"}

CASES: tuple[Case, ...] = (
    Case(
        "documented shape: balance is the balance, the lifetime sums are not its parts",
        {"api_key": KEY},
        answer(
            account("150.00", "200.00", "50.00"), expect_headers={"authorization": f"Bearer {KEY}"}
        ),
        {
            "status": "ok",
            "currency": "CNY",
            "balance": "150.00",
            "granted": None,
            "paid": None,
            "message": None,
        },
    ),
    Case(
        "vouchers granted long ago and spent: granted stays unknown, not the lifetime 12.5",
        {"api_key": KEY},
        answer(account("0", "0", "12.5")),
        {"status": "ok", "currency": "CNY", "balance": "0", "granted": None},
    ),
    Case(
        "the .ai host is taken as USD (public clients' rule, not in StepFun's docs)",
        {"api_key": KEY, "base_url": "https://api.stepfun.ai/v1"},
        answer(account("3.2", "5", "0")),
        {"status": "ok", "currency": "USD", "balance": "3.2"},
    ),
    Case(
        "the account's currency overrides the host",
        {"api_key": KEY, "base_url": "https://api.stepfun.ai", "currency": "CNY"},
        answer(account("3.2", "5", "0")),
        {"status": "ok", "currency": "CNY", "balance": "3.2"},
    ),
    Case(
        "balance as a string is read exactly",
        {"api_key": KEY},
        answer({"object": "account", "type": "prepaid", "balance": "13.77"}),
        {"status": "ok", "balance": "13.77"},
    ),
    Case(
        "a postpaid account says so",
        {"api_key": KEY},
        answer(account("-20.5", "0", "0", kind="postpaid")),
        {"status": "ok", "balance": "-20.5"},
    ),
    Case(
        "no balance is a bad response, never zero",
        {"api_key": KEY},
        answer({"object": "account", "type": "prepaid", "total_cash_balance": 10}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "another object is a bad response",
        {"api_key": KEY},
        answer({"object": "list", "data": [], "balance": 1}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "401 for an unknown key",
        {"api_key": KEY},
        answer(
            {"error": {"message": "Incorrect API key provided", "type": "invalid_api_key"}},
            status=401,
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "an error object under HTTP 200 is a bad response",
        {"api_key": KEY},
        answer({"error": {"message": "internal error"}}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "429 is rate limited",
        {"api_key": KEY},
        answer({"error": {"message": "Too Many Requests", "type": "rate_limit"}}, status=429),
        {"status": "rate_limited"},
    ),
    Case(
        "504 gateway page is unavailable",
        {"api_key": KEY},
        (
            Exchange(
                PATH,
                status=504,
                text="<html><title>504 Gateway Time-out</title></html>",
                headers={"content-type": "text/html"},
            ),
        ),
        {"status": "unavailable", "balance": None},
    ),
    truncated_json(
        PATH,
        {"api_key": KEY},
        '{"object":"account","type":"prepaid","bal',
        staged=FUNDED,
        balance=None,
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "documented shape: balance is the balance, the lifetime sums are not its parts": Staged(
        account=FUNDED
    ),
    "vouchers granted long ago and spent: granted stays unknown, not the lifetime 12.5": Staged(
        account={"balance": "0", "total_voucher_balance": "12.5"}
    ),
    "the account's currency overrides the host": Staged(
        account={"balance": "3.2", "total_cash_balance": "5"}, config={"currency": "CNY"}
    ),
    "a postpaid account says so": Staged(account={"balance": "-20.5", "type": "postpaid"}),
    "401 for an unknown key": Staged(account=FUNDED, config={"api_key": "not-a-stepfun-key"}),
    "an error object under HTTP 200 is a bad response": Staged(
        account=FUNDED, fault={"kind": "success_false"}
    ),
    "429 is rate limited": Staged(account=FUNDED, fault={"kind": "rate_limit", "retry_after": 0}),
    "504 gateway page is unavailable": Staged(account=FUNDED, fault={"kind": "gateway_timeout"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
