"""Venice's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from topup.model import CurrencyBalance
from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503

PATH = "/api/v1/billing/balance"
KEY = {"api_key": "venice-admin-test-0001"}


def answer(usd: Any, diem: Any, *, can: bool = True, spends: str | None = "DIEM") -> dict[str, Any]:
    return {
        "canConsume": can,
        "consumptionCurrency": spends,
        "balances": {"diem": diem, "usd": usd},
        "diemEpochAllocation": 100,
    }


def both(usd: str, diem: str) -> tuple[CurrencyBalance, ...]:
    return (
        CurrencyBalance(currency="USD", balance=Decimal(usd)),
        CurrencyBalance(currency="DIEM", balance=Decimal(diem)),
    )


CASES: tuple[Case, ...] = (
    Case(
        "documented example: USD and DIEM, no currency chosen: flat fields stay null",
        KEY,
        (
            Exchange(
                PATH,
                json=answer(25, 90.5),
                expect_headers={"authorization": "Bearer venice-admin-test-0001"},
            ),
        ),
        {
            "status": "ok",
            "currency": None,
            "balance": None,
            "balances": both("25", "90.5"),
            "scope": "account",
        },
    ),
    Case(
        "currency = USD shows the USD entry flat",
        {**KEY, "currency": "USD"},
        (Exchange(PATH, json=answer(25, 90.5)),),
        {"status": "ok", "currency": "USD", "balance": "25", "balances": both("25", "90.5")},
    ),
    Case(
        "currency = DIEM shows the DIEM entry flat",
        {**KEY, "currency": "DIEM"},
        (Exchange(PATH, json=answer("25.00", "90.50")),),
        {"status": "ok", "currency": "DIEM", "balance": "90.50"},
    ),
    Case(
        "only USD given: one entry, shown flat",
        KEY,
        (Exchange(PATH, json=answer("3.20", None, spends="USD")),),
        {"status": "ok", "currency": "USD", "balance": "3.20"},
    ),
    Case(
        "canConsume false: exhausted, amounts kept",
        {**KEY, "currency": "USD"},
        (Exchange(PATH, json=answer(0, 0, can=False, spends=None)),),
        {"status": "exhausted", "currency": "USD", "balance": "0", "balances": both("0", "0")},
    ),
    Case(
        "no balances at all is a bad response, never zero",
        KEY,
        (Exchange(PATH, json={"canConsume": True, "balances": {}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "balance that is not a number",
        KEY,
        (Exchange(PATH, json=answer("lots", 1)),),
        {"status": "bad_response"},
    ),
    Case(
        "401: unknown key or an INFERENCE key",
        KEY,
        (Exchange(PATH, status=401, json={"error": "Authentication failed"}),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "429 rate limited",
        KEY,
        (Exchange(PATH, status=429, json={"error": "Rate limit exceeded"}),),
        {"status": "rate_limited"},
    ),
    Case(
        "error under HTTP 200",
        KEY,
        (Exchange(PATH, json={"error": {"message": "internal error"}}),),
        {"status": "bad_response", "balance": None},
    ),
    html_503(PATH, KEY, name="503 HTML page", staged={"usd": "1"}),
)

STAGED: dict[str, Staged] = {
    "documented example: USD and DIEM, no currency chosen: flat fields stay null": Staged(
        account={"usd": "25", "diem": "90.5", "diem_allocation": "100"}
    ),
    "currency = USD shows the USD entry flat": Staged(
        account={"usd": "25", "diem": "90.5"}, config={"currency": "USD"}
    ),
    "canConsume false: exhausted, amounts kept": Staged(account={}, config={"currency": "USD"}),
    "401: unknown key or an INFERENCE key": Staged(
        account={"usd": "1"}, config={"api_key": "venice-inference-key"}
    ),
    "error under HTTP 200": Staged(account={"usd": "1"}, fault={"kind": "success_false"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
