"""DeepInfra's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import truncated_json

P = "/payment/checklist"
KEY = {"api_key": "di-test-key-0001"}
D = Decimal


def checklist(stripe: str, recent: str, **rest: object) -> dict[str, object]:
    """A checklist answer as recorded (2026-08-29), its billing fields included."""
    return {
        "stripe_balance": D(stripe),
        "recent": D(recent),
        "limit": None,
        "suspended": False,
        "overdue_invoices": D("0.0"),
        "billing_type": "balance",
        "topup": False,
        "billing_address_info": {"name": "A Person", "line1": "1 Street"},
        "payment_method_info": {"brand": "visa", "last4": "4242"},
        **rest,
    }


CASES: tuple[Case, ...] = (
    Case(
        "recorded answer: prepaid credit minus unbilled usage (18.00 - 7.97)",
        KEY,
        (
            Exchange(
                P,
                json=checklist("-18.0", "7.97"),
                expect_headers={"authorization": "Bearer di-test-key-0001"},
            ),
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "10.03",
            "used": "7.97",
            "limit": None,
            "scope": "account",
            "message": None,
        },
    ),
    Case(
        "positive stripe_balance is money owed: a negative balance, still a value",
        KEY,
        (Exchange(P, json=checklist("3", "12")),),
        {"status": "ok", "balance": "-15", "used": "12"},
    ),
    Case(
        "no prepaid credit and nothing unbilled is zero, plainly",
        KEY,
        (Exchange(P, json=checklist("0", "0")),),
        {"status": "ok", "balance": "0"},
    ),
    Case(
        "a spending limit is kept; -1 means none",
        KEY,
        (Exchange(P, json=checklist("-20.5", "0.5", limit=D("50.0"))),),
        {"status": "ok", "balance": "20.0", "limit": "50"},
    ),
    Case(
        "limit -1 is no limit",
        KEY,
        (Exchange(P, json=checklist("-1", "0", limit=-1)),),
        {"status": "ok", "balance": "1", "limit": None},
    ),
    Case(
        "suspended account is exhausted and keeps its amounts",
        KEY,
        (
            Exchange(
                P,
                json=checklist("3", "12", suspended=True, suspend_reason=" unpaid invoice "),
            ),
        ),
        {
            "status": "exhausted",
            "balance": "-15",
            "used": "12",
            "message": "DeepInfra suspended the account: unpaid invoice",
        },
    ),
    Case(
        "stripe_balance missing is unknown, never 0",
        KEY,
        (Exchange(P, json={"recent": D("1.5"), "limit": None, "suspended": False}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "recent missing is unknown: no balance from half the sum",
        KEY,
        (Exchange(P, json={"stripe_balance": D("-5"), "suspended": False}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "401 unknown key",
        KEY,
        (Exchange(P, status=401, json={"detail": "Not authenticated"}),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "403 key not allowed to read billing",
        KEY,
        (Exchange(P, status=403, json={"detail": "Forbidden"}),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "429 rate limited",
        KEY,
        (Exchange(P, status=429, json={"detail": "Too Many Requests"}),),
        {"status": "rate_limited"},
    ),
    Case(
        "504 gateway timeout",
        KEY,
        (
            Exchange(
                P,
                status=504,
                text="<html><title>504 Gateway Time-out</title></html>",
                headers={"content-type": "text/html"},
            ),
        ),
        {"status": "unavailable"},
    ),
    Case(
        "amounts as strings are read exactly",
        KEY,
        (Exchange(P, json={**checklist("0", "0"), "stripe_balance": "-2.10", "recent": "0.05"}),),
        {"status": "ok", "balance": "2.05"},
    ),
    truncated_json(
        P, KEY, '{"stripe_balance": -18.0, "rec', name="truncated JSON", staged={"credit": "1"}
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "recorded answer: prepaid credit minus unbilled usage (18.00 - 7.97)": Staged(
        account={"credit": "18.0", "recent": "7.97"}
    ),
    "positive stripe_balance is money owed: a negative balance, still a value": Staged(
        account={"credit": "-3", "recent": "12"}
    ),
    "a spending limit is kept; -1 means none": Staged(
        account={"credit": "20.5", "recent": "0.5", "limit": "50"}
    ),
    "suspended account is exhausted and keeps its amounts": Staged(
        account={"credit": "-3", "recent": "12", "status": 2, "suspend_reason": "unpaid invoice"}
    ),
    "401 unknown key": Staged(account={"credit": "1"}, config={"api_key": "di-not-known"}),
    "429 rate limited": Staged(account={"credit": "1"}, fault={"kind": "rate_limit"}),
    "504 gateway timeout": Staged(account={"credit": "1"}, fault={"kind": "gateway_timeout"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
