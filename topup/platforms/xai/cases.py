"""xAI's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503

TEAM = "8c1f7e52-3b9d-4a7e-9f02-6d5e4c3b2a10"
PATH = f"/v1/billing/teams/{TEAM}/prepaid/balance"
ACCOUNT = {"api_key": "xai-token-test0001", "team_id": TEAM}

CASES: tuple[Case, ...] = (
    Case(
        "a $25 credit is -2500 cents on the wire",
        ACCOUNT,
        (
            Exchange(
                PATH,
                json={"changes": [], "total": {"val": "-2500"}},
                expect_headers={"authorization": "Bearer xai-token-test0001"},
            ),
        ),
        {"status": "ok", "currency": "USD", "balance": "25", "scope": "account"},
    ),
    Case(
        "cents that are not whole dollars",
        ACCOUNT,
        (
            Exchange(
                PATH, json={"changes": [{"amount": {"val": "-1000"}}], "total": {"val": "-1234"}}
            ),
        ),
        {"status": "ok", "balance": "12.34"},
    ),
    Case(
        "a positive ledger is a deficit: a negative balance",
        ACCOUNT,
        (Exchange(PATH, json={"changes": [], "total": {"val": "250"}}),),
        {"status": "ok", "balance": "-2.5"},
    ),
    Case(
        "zero is a value",
        ACCOUNT,
        (Exchange(PATH, json={"changes": [], "total": {"val": "0"}}),),
        {"status": "ok", "balance": "0"},
    ),
    Case(
        "total.val as a JSON number",
        ACCOUNT,
        (Exchange(PATH, json={"total": {"val": -500}}),),
        {"status": "ok", "balance": "5"},
    ),
    Case(
        "no total is a bad response, never zero",
        ACCOUNT,
        (Exchange(PATH, json={"changes": []}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "total.val that is not a number",
        ACCOUNT,
        (Exchange(PATH, json={"total": {"val": "n/a"}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "404: a postpaid team has no prepaid balance (not an auth error)",
        ACCOUNT,
        (Exchange(PATH, status=404, json={"code": "NotFound", "error": "No prepaid balance"}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "401: an inference key or unknown management key",
        ACCOUNT,
        (Exchange(PATH, status=401, json={"code": "Unauthenticated", "error": "Invalid key"}),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "403: a key without billing read",
        ACCOUNT,
        (Exchange(PATH, status=403, json={"code": "PermissionDenied", "error": "No access"}),),
        {"status": "auth_error"},
    ),
    Case(
        "429 rate limited",
        ACCOUNT,
        (Exchange(PATH, status=429, json={"code": "ResourceExhausted", "error": "Slow down"}),),
        {"status": "rate_limited"},
    ),
    html_503(PATH, ACCOUNT, name="503 HTML page", staged={"paid": "1"}),
)

STAGED: dict[str, Staged] = {
    "a $25 credit is -2500 cents on the wire": Staged(account={"paid": "25.00"}),
    "cents that are not whole dollars": Staged(account={"paid": "12.34"}),
    "a positive ledger is a deficit: a negative balance": Staged(account={"paid": "-2.50"}),
    "404: a postpaid team has no prepaid balance (not an auth error)": Staged(
        account={"postpaid": True}
    ),
    "401: an inference key or unknown management key": Staged(
        account={"paid": "1"}, config={"api_key": "xai-inference-key"}
    ),
    "429 rate limited": Staged(
        account={"paid": "1"}, fault={"kind": "rate_limit", "retry_after": 0}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
