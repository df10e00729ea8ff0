"""SiliconFlow's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.siliconflow.client import RETIRED
from topup.platforms.standard_cases import html_503, truncated_json

CASES: tuple[Case, ...] = (
    Case(
        "documented example, international host is USD",
        {"api_key": "sk-test-siliconflow-0001"},
        (
            Exchange(
                "/v1/user/info",
                json={
                    "code": 20000,
                    "message": "OK",
                    "status": True,
                    "data": {
                        "id": "userid",
                        "name": "",
                        "image": "",
                        "email": "",
                        "isAdmin": False,
                        "balance": "0.88",
                        "status": "normal",
                        "introduction": "",
                        "role": "",
                        "chargeBalance": "88.00",
                        "totalBalance": "88.88",
                    },
                },
                expect_headers={"authorization": "Bearer sk-test-siliconflow-0001"},
            ),
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "88.88",
            "granted": "0.88",
            "paid": "88.00",
            "used": None,
            "scope": "account",
        },
    ),
    Case(
        ".cn host is CNY",
        {"api_key": "sk-cn", "base_url": "https://api.siliconflow.cn"},
        (
            Exchange(
                "/v1/user/info",
                json={
                    "code": 20000,
                    "status": True,
                    "data": {"balance": "1", "chargeBalance": "2.5", "totalBalance": "3.5"},
                },
            ),
        ),
        {"status": "ok", "currency": "CNY", "balance": "3.5"},
    ),
    Case(
        "account currency overrides the host",
        {"api_key": "sk-x", "base_url": "http://127.0.0.1:9/sf", "currency": "CNY"},
        (
            Exchange(
                "/sf/v1/user/info",
                json={"code": 20000, "status": True, "data": {"totalBalance": "1"}},
            ),
        ),
        {"status": "ok", "currency": "CNY", "balance": "1"},
    ),
    Case(
        "negative amounts are values",
        {"api_key": "sk-x"},
        (
            Exchange(
                "/v1/user/info",
                json={
                    "code": 20000,
                    "status": True,
                    "data": {"balance": "0", "chargeBalance": "-0.01", "totalBalance": "-0.01"},
                },
            ),
        ),
        {"status": "ok", "balance": "-0.01", "paid": "-0.01", "granted": "0"},
    ),
    Case(
        "410 Gone: endpoint retired",
        {"api_key": "sk-x"},
        (Exchange("/v1/user/info", status=410, text="Gone"),),
        {"status": "endpoint_retired", "balance": None, "message": RETIRED},
    ),
    Case(
        "401 with a string body",
        {"api_key": "sk-x"},
        (Exchange("/v1/user/info", status=401, json="Invalid token"),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "code != 20000 under HTTP 200",
        {"api_key": "sk-x"},
        (
            Exchange(
                "/v1/user/info",
                json={"code": 50001, "message": "internal", "status": False, "data": None},
            ),
        ),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "status false under HTTP 200",
        {"api_key": "sk-x"},
        (
            Exchange(
                "/v1/user/info",
                json={
                    "code": 20000,
                    "message": "x",
                    "status": False,
                    "data": {"totalBalance": "1"},
                },
            ),
        ),
        {"status": "bad_response", "balance": None},
    ),
    html_503(
        "/v1/user/info",
        {"api_key": "sk-x"},
        name="503 HTML page",
        staged={"paid": "1"},
        balance=None,
    ),
    Case(
        "504 string body",
        {"api_key": "sk-x"},
        (Exchange("/v1/user/info", status=504, json="Timeout"),),
        {"status": "unavailable"},
    ),
    Case(
        "429 rate limit",
        {"api_key": "sk-x"},
        (Exchange("/v1/user/info", status=429, json="RateLimit", headers={"retry-after": "1"}),),
        {"status": "rate_limited"},
    ),
    Case(
        "400 and 404 are bad responses",
        {"api_key": "sk-x"},
        (Exchange("/v1/user/info", status=404, json="NotFound"),),
        {"status": "bad_response"},
    ),
    truncated_json(
        "/v1/user/info",
        {"api_key": "sk-x"},
        '{"code":20000,"status":true,"data":{"totalBal',
        name="truncated JSON",
        staged={"paid": "1"},
        balance=None,
    ),
    Case(
        "HTML page under HTTP 200",
        {"api_key": "sk-x"},
        (
            Exchange(
                "/v1/user/info",
                text="<!DOCTYPE html><html><title>Login</title></html>",
                headers={"content-type": "text/html"},
            ),
        ),
        {"status": "bad_response"},
    ),
    Case(
        "missing totalBalance falls back to the sum of its parts",
        {"api_key": "sk-x"},
        (
            Exchange(
                "/v1/user/info",
                json={
                    "code": 20000,
                    "status": True,
                    "data": {"balance": "1.10", "chargeBalance": "2"},
                },
            ),
        ),
        {"status": "ok", "balance": "3.10"},
    ),
    Case(
        "no amount at all is a bad response, never zero",
        {"api_key": "sk-x"},
        (Exchange("/v1/user/info", json={"code": 20000, "status": True, "data": {"id": "u"}}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "amount that is not a number",
        {"api_key": "sk-x"},
        (
            Exchange(
                "/v1/user/info",
                json={"code": 20000, "status": True, "data": {"totalBalance": "lots"}},
            ),
        ),
        {"status": "bad_response"},
    ),
    Case(
        "disabled account keeps its amounts",
        {"api_key": "sk-x"},
        (
            Exchange(
                "/v1/user/info",
                json={
                    "code": 20000,
                    "status": True,
                    "data": {"totalBalance": "5", "status": "disabled"},
                },
            ),
        ),
        {"status": "disabled", "balance": "5"},
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "documented example, international host is USD": Staged(
        account={"granted": "0.88", "paid": "88.00"}
    ),
    "account currency overrides the host": Staged(
        account={"paid": "1"}, config={"currency": "CNY"}
    ),
    "negative amounts are values": Staged(account={"granted": "0", "paid": "-0.01"}),
    "410 Gone: endpoint retired": Staged(account={"paid": "1"}, fault={"kind": "gone"}),
    "401 with a string body": Staged(account={"paid": "1"}, config={"api_key": "sk-not-known"}),
    "code != 20000 under HTTP 200": Staged(account={"paid": "1"}, fault={"kind": "success_false"}),
    "504 string body": Staged(account={"paid": "1"}, fault={"kind": "gateway_timeout"}),
    "429 rate limit": Staged(account={"paid": "1"}, fault={"kind": "rate_limit", "retry_after": 0}),
    "disabled account keeps its amounts": Staged(account={"paid": "5", "status": 2}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
