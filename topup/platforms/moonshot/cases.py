"""Moonshot's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503, truncated_json

KEY = "sk-test-moonshot-0001"
PATH = "/v1/users/me/balance"


def ok(available: str, voucher: str, cash: str) -> dict[str, object]:
    """The documented envelope with exact JSON numbers."""
    return {
        "code": 0,
        "data": {
            "available_balance": Decimal(available),
            "voucher_balance": Decimal(voucher),
            "cash_balance": Decimal(cash),
        },
        "scode": "0x0",
        "status": True,
    }


def answer(
    body: object, *, status: int = 200, expect_headers: dict[str, str] | None = None
) -> tuple[Exchange, ...]:
    return (Exchange(PATH, status=status, json=body, expect_headers=expect_headers or {}),)


INVALID_AUTH = {
    "error": {"message": "Invalid Authentication", "type": "invalid_authentication_error"}
}

FUNDED = {"voucher": "46.58893", "cash": "3.00001"}

CASES: tuple[Case, ...] = (
    Case(
        "documented example: the .cn host is CNY",
        {"api_key": KEY},
        answer(
            ok("49.58894", "46.58893", "3.00001"),
            expect_headers={"authorization": f"Bearer {KEY}"},
        ),
        {
            "status": "ok",
            "currency": "CNY",
            "balance": "49.58894",
            "granted": "46.58893",
            "paid": "3.00001",
            "message": None,
        },
    ),
    Case(
        "the .ai host is USD",
        {"api_key": KEY, "base_url": "https://api.moonshot.ai"},
        answer(ok("12.5", "0", "12.5")),
        {"status": "ok", "currency": "USD", "balance": "12.5"},
    ),
    Case(
        "a base URL pasted with /v1 is not doubled",
        {"api_key": KEY, "base_url": "https://api.moonshot.ai/v1"},
        answer(ok("1", "1", "0")),
        {"status": "ok", "currency": "USD", "balance": "1"},
    ),
    Case(
        "the account's currency overrides the host",
        {"api_key": KEY, "base_url": "https://kimi-proxy.example/moonshot", "currency": "USD"},
        (Exchange(f"/moonshot{PATH}", json=ok("2", "2", "0")),),
        {"status": "ok", "currency": "USD", "balance": "2"},
    ),
    Case(
        "in arrears with no vouchers: available 0, cash negative, exhausted with its amounts",
        {"api_key": KEY},
        answer(ok("0", "0", "-31.14918")),
        {
            "status": "exhausted",
            "currency": "CNY",
            "balance": "0",
            "granted": "0",
            "paid": "-31.14918",
        },
    ),
    Case(
        "in arrears with vouchers left: available is the vouchers, still usable",
        {"api_key": KEY},
        answer(ok("5", "5", "-2.5")),
        {"status": "ok", "balance": "5", "granted": "5", "paid": "-2.5"},
    ),
    Case(
        "a missing available_balance follows the docs' rule",
        {"api_key": KEY},
        answer({"code": 0, "data": {"voucher_balance": 4, "cash_balance": -1}, "status": True}),
        {"status": "ok", "balance": "4", "paid": "-1"},
    ),
    Case(
        "no amount at all is a bad response, never zero",
        {"api_key": KEY},
        answer({"code": 0, "data": {}, "scode": "0x0", "status": True}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "status false under HTTP 200 is a failure",
        {"api_key": KEY},
        answer({"code": 5, "data": None, "scode": "0x5", "status": False}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "code != 0 under HTTP 200 is a failure even with amounts",
        {"api_key": KEY},
        answer({**ok("1", "1", "0"), "code": 1}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "401 invalid_authentication_error (also a key of the other host)",
        {"api_key": KEY},
        answer(INVALID_AUTH, status=401),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "429 exceeded_current_quota_error is exhausted, not rate limited",
        {"api_key": KEY},
        answer(
            {
                "error": {
                    "message": "You exceeded your current quota, please check your plan and "
                    "billing details",
                    "type": "exceeded_current_quota_error",
                }
            },
            status=429,
        ),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "429 rate_limit_reached_error is rate limited",
        {"api_key": KEY},
        answer(
            {"error": {"message": "max RPM reached", "type": "rate_limit_reached_error"}},
            status=429,
        ),
        {"status": "rate_limited"},
    ),
    html_503(PATH, {"api_key": KEY}, staged=FUNDED, balance=None),
    truncated_json(
        PATH,
        {"api_key": KEY},
        '{"code":0,"data":{"available_balance":49.5',
        staged=FUNDED,
        balance=None,
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "documented example: the .cn host is CNY": Staged(account=FUNDED),
    "the account's currency overrides the host": Staged(
        account={"voucher": "2"}, config={"currency": "USD"}
    ),
    "in arrears with no vouchers: available 0, cash negative, exhausted with its amounts": Staged(
        account={"voucher": "0", "cash": "-31.14918"}
    ),
    "in arrears with vouchers left: available is the vouchers, still usable": Staged(
        account={"voucher": "5", "cash": "-2.5"}
    ),
    "status false under HTTP 200 is a failure": Staged(
        account=FUNDED, fault={"kind": "success_false"}
    ),
    "401 invalid_authentication_error (also a key of the other host)": Staged(
        account=FUNDED, config={"api_key": "sk-not-known-to-this-host"}
    ),
    "429 rate_limit_reached_error is rate limited": Staged(
        account=FUNDED, fault={"kind": "rate_limit", "retry_after": 0}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
