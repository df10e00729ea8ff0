"""DeepSeek's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.model import CurrencyBalance
from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503, truncated_json

KEY = "sk-test-deepseek-0001"


def infos(*rows: tuple[str, str, str, str], available: bool = True) -> dict[str, object]:
    """A ``/user/balance`` answer: rows of (currency, total, granted, topped_up) strings."""
    return {
        "is_available": available,
        "balance_infos": [
            {
                "currency": currency,
                "total_balance": total,
                "granted_balance": granted,
                "topped_up_balance": topped,
            }
            for currency, total, granted, topped in rows
        ],
    }


def balance(
    body: object, *, status: int = 200, expect_headers: dict[str, str] | None = None
) -> tuple[Exchange, ...]:
    return (
        Exchange("/user/balance", status=status, json=body, expect_headers=expect_headers or {}),
    )


CNY_FUNDED = ("CNY", "110.00", "10.00", "100.00")
USD_EMPTY = ("USD", "0.00", "0.00", "0.00")
BOTH = (
    CurrencyBalance(
        currency="CNY", balance=Decimal("110"), granted=Decimal("10"), paid=Decimal("100")
    ),
    CurrencyBalance(currency="USD", balance=Decimal(0), granted=Decimal(0), paid=Decimal(0)),
)

FUNDED_CNY = {"cny_granted": "10", "cny_topped_up": "100"}

CASES: tuple[Case, ...] = (
    Case(
        "documented example: one CNY entry, amounts as strings",
        {"api_key": KEY},
        balance(infos(CNY_FUNDED), expect_headers={"authorization": f"Bearer {KEY}"}),
        {
            "status": "ok",
            "currency": "CNY",
            "balance": "110.00",
            "granted": "10.00",
            "paid": "100.00",
            "balances": (BOTH[0],),
            "message": None,
        },
    ),
    Case(
        "an older docs revision typed the amounts as numbers",
        {"api_key": KEY},
        balance(
            {
                "is_available": True,
                "balance_infos": [
                    {
                        "currency": "CNY",
                        "total_balance": Decimal("110.00"),
                        "granted_balance": Decimal("10.00"),
                        "topped_up_balance": 100,
                    }
                ],
            }
        ),
        {"status": "ok", "currency": "CNY", "balance": "110", "granted": "10", "paid": "100"},
    ),
    Case(
        "a USD-only account is USD",
        {"api_key": KEY},
        balance(infos(("USD", "5.50", "0.00", "5.50"))),
        {"status": "ok", "currency": "USD", "balance": "5.50", "granted": "0", "paid": "5.50"},
    ),
    Case(
        "a mixed account with no currency set keeps both and leaves the flat fields null",
        {"api_key": KEY},
        balance(infos(CNY_FUNDED, USD_EMPTY)),
        {
            "status": "ok",
            "currency": None,
            "balance": None,
            "granted": None,
            "paid": None,
            "balances": BOTH,
        },
    ),
    Case(
        "a mixed account with currency CNY shows CNY, not the empty USD row listed first",
        {"api_key": KEY, "currency": "CNY"},
        balance(infos(USD_EMPTY, CNY_FUNDED)),
        {"status": "ok", "currency": "CNY", "balance": "110.00", "paid": "100.00"},
    ),
    Case(
        "a mixed account with currency USD shows the empty USD row it asked for",
        {"api_key": KEY, "currency": "usd"},
        balance(infos(CNY_FUNDED, USD_EMPTY)),
        {"status": "ok", "currency": "USD", "balance": "0.00", "balances": BOTH},
    ),
    Case(
        "a currency the answer does not hold leaves the flat fields null and says so",
        {"api_key": KEY, "currency": "EUR"},
        balance(infos(CNY_FUNDED)),
        {"status": "ok", "currency": None, "balance": None, "balances": (BOTH[0],)},
    ),
    Case(
        "is_available false is exhausted and keeps the amounts",
        {"api_key": KEY},
        balance(infos(("CNY", "0.00", "0.00", "0.00"), available=False)),
        {"status": "exhausted", "currency": "CNY", "balance": "0.00", "granted": "0.00"},
    ),
    Case(
        "an empty balance_infos is unknown, never zero",
        {"api_key": KEY},
        balance({"is_available": True, "balance_infos": []}),
        {"status": "bad_response", "currency": None, "balance": None, "balances": ()},
    ),
    Case(
        "an empty balance_infos with is_available false is exhausted without amounts",
        {"api_key": KEY},
        balance({"is_available": False, "balance_infos": []}),
        {"status": "exhausted", "balance": None, "balances": ()},
    ),
    Case(
        "a missing total is the sum of its parts",
        {"api_key": KEY},
        balance(
            {
                "is_available": True,
                "balance_infos": [
                    {"currency": "CNY", "granted_balance": "1.10", "topped_up_balance": "2"}
                ],
            }
        ),
        {"status": "ok", "balance": "3.10"},
    ),
    Case(
        "an entry without any amount is a bad response",
        {"api_key": KEY},
        balance({"is_available": True, "balance_infos": [{"currency": "CNY"}]}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "an entry without a currency is a bad response",
        {"api_key": KEY},
        balance({"is_available": True, "balance_infos": [{"total_balance": "1.00"}]}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "the same currency twice is a bad response",
        {"api_key": KEY},
        balance(infos(CNY_FUNDED, ("CNY", "1.00", "0.00", "1.00"))),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "an amount that is not a number is a bad response",
        {"api_key": KEY},
        balance(infos(("CNY", "lots", "0", "0"))),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "an overdrawn account: negative amounts are values, reported as exhausted",
        {"api_key": KEY},
        balance(infos(("CNY", "-0.02", "0.00", "-0.02"), available=False)),
        {"status": "exhausted", "balance": "-0.02", "paid": "-0.02"},
    ),
    Case(
        "a base URL pasted with /v1 still reaches /user/balance",
        {"api_key": KEY, "base_url": "https://api.deepseek.com/v1"},
        balance(infos(CNY_FUNDED)),
        {"status": "ok", "balance": "110.00"},
    ),
    Case(
        "401 Authentication Fails",
        {"api_key": KEY},
        balance(
            {
                "error": {
                    "message": "Authentication Fails, Your api key: ****0001 is invalid",
                    "type": "authentication_error",
                    "param": None,
                    "code": "invalid_request_error",
                }
            },
            status=401,
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "402 Insufficient Balance is exhausted",
        {"api_key": KEY},
        balance(
            {"error": {"message": "Insufficient Balance", "type": "unknown_error"}}, status=402
        ),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "an error object under HTTP 200 is a bad response",
        {"api_key": KEY},
        balance({"error": {"message": "internal error"}}),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "429 is rate limited",
        {"api_key": KEY},
        balance(
            {"error": {"message": "Rate Limit Reached", "type": "rate_limit_reached_error"}},
            status=429,
        ),
        {"status": "rate_limited"},
    ),
    html_503("/user/balance", {"api_key": KEY}, staged=FUNDED_CNY, balance=None),
    truncated_json(
        "/user/balance",
        {"api_key": KEY},
        '{"is_available":true,"balance_infos":[{"curr',
        staged=FUNDED_CNY,
        balance=None,
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "documented example: one CNY entry, amounts as strings": Staged(account=FUNDED_CNY),
    "a USD-only account is USD": Staged(account={"usd_granted": "0", "usd_topped_up": "5.50"}),
    "a mixed account with no currency set keeps both and leaves the flat fields null": Staged(
        account={**FUNDED_CNY, "usd_granted": "0", "usd_topped_up": "0"}
    ),
    "a mixed account with currency CNY shows CNY, not the empty USD row listed first": Staged(
        account={**FUNDED_CNY, "usd_granted": "0", "usd_topped_up": "0"},
        config={"currency": "CNY"},
    ),
    "a mixed account with currency USD shows the empty USD row it asked for": Staged(
        account={**FUNDED_CNY, "usd_granted": "0", "usd_topped_up": "0"},
        config={"currency": "usd"},
    ),
    "a currency the answer does not hold leaves the flat fields null and says so": Staged(
        account=FUNDED_CNY, config={"currency": "EUR"}
    ),
    "is_available false is exhausted and keeps the amounts": Staged(
        account={"cny_granted": "0", "cny_topped_up": "0"}
    ),
    "an empty balance_infos is unknown, never zero": Staged(account={"available": True}),
    "an empty balance_infos with is_available false is exhausted without amounts": Staged(
        account={}
    ),
    "an overdrawn account: negative amounts are values, reported as exhausted": Staged(
        account={"cny_granted": "0", "cny_topped_up": "-0.02"}
    ),
    "401 Authentication Fails": Staged(
        account=FUNDED_CNY, config={"api_key": "sk-0000000000000000000000000000dead"}
    ),
    "an error object under HTTP 200 is a bad response": Staged(
        account=FUNDED_CNY, fault={"kind": "success_false"}
    ),
    "429 is rate limited": Staged(
        account=FUNDED_CNY, fault={"kind": "rate_limit", "retry_after": 0}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
