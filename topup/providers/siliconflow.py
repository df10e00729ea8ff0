"""SiliconFlow: ``GET {base}/v1/user/info`` (seed document 000).

Envelope ``{code: 20000, message, status: true, data}``; amounts are decimal strings.
``data.totalBalance`` is the balance, ``data.balance`` only its granted (gift/voucher) part and
``data.chargeBalance`` the paid part. No currency field: the host decides (``.cn`` is CNY,
otherwise USD) unless the account sets ``currency``. Since about 2026-08 the endpoint answers
HTTP 410 on some accounts: the platform retired it.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError
from topup.model import Balance, Status
from topup.providers.base import Case, CheckFlow, CredentialField, Exchange, Provider
from topup.providers.responses import body_text, decimal_field, parse_object, raise_for_transient

RETIRED = (
    "SiliconFlow retired this balance endpoint (HTTP 410 Gone from /v1/user/info); "
    "check the balance in the SiliconFlow console"
)
OK_CODE = 20000
_DISABLED_STATES = frozenset({"disabled", "frozen", "banned", "blocked", "locked", "deleted"})


def currency_for(base_url: str, override: str | None) -> str:
    """The one currency rule: explicit setting, else the host (``.cn`` → CNY), else USD."""
    if override:
        return override
    host = (urlsplit(base_url).hostname or "").lower()
    return "CNY" if host.endswith(".cn") else "USD"


class SiliconFlow(Provider):
    name = "siliconflow"
    title = "SiliconFlow"
    default_base_url = "https://api.siliconflow.com"
    fields = (CredentialField("api_key", "API key (sk-...)", env="SILICONFLOW_API_KEY"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "CNY when the base URL's host ends in .cn, else USD; `currency` overrides"

    def check(self, account: Account) -> CheckFlow:
        base = self.base_url(account)
        response = yield httpx.Request(
            "GET",
            f"{base}/v1/user/info",
            headers={"Authorization": f"Bearer {account.secret('api_key')}"},
        )
        raise_for_transient(response, retired=RETIRED)
        if response.status_code in (401, 403):
            raise AuthError(
                f"API key rejected (HTTP {response.status_code}): {body_text(response)}"
            )
        if response.status_code != 200:
            raise BadResponseError(f"unexpected HTTP {response.status_code}: {body_text(response)}")
        body = parse_object(response)
        if body.get("code") != OK_CODE or body.get("status") is False:
            message = body.get("message") or "no message"
            raise BadResponseError(
                f"platform reported failure (code {body.get('code')}): {message}"
            )
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("answer has no data object")
        return self.balance(data, currency_for(base, account.currency))

    @staticmethod
    def balance(data: dict[str, Any], currency: str) -> Balance:
        total = decimal_field(data, "totalBalance", required=False)
        granted = decimal_field(data, "balance", required=False)
        paid = decimal_field(data, "chargeBalance", required=False)
        if total is None:
            if granted is None or paid is None:
                raise BadResponseError("answer has no totalBalance")
            total = granted + paid
        state = str(data.get("status") or "").lower()
        if state in _DISABLED_STATES:
            return Balance(
                currency=currency,
                balance=total,
                granted=granted,
                paid=paid,
                status=Status.DISABLED,
                message=f"SiliconFlow account status is {state!r}",
            )
        return Balance(currency=currency, balance=total, granted=granted, paid=paid)

    cases: ClassVar[tuple[Case, ...]] = (
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
        Case(
            "503 HTML page",
            {"api_key": "sk-x"},
            (
                Exchange(
                    "/v1/user/info",
                    status=503,
                    text="<html><title>503 Service Temporarily Unavailable</title></html>",
                    headers={"content-type": "text/html"},
                ),
            ),
            {"status": "unavailable", "balance": None},
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
            (
                Exchange(
                    "/v1/user/info", status=429, json="RateLimit", headers={"retry-after": "1"}
                ),
            ),
            {"status": "rate_limited"},
        ),
        Case(
            "400 and 404 are bad responses",
            {"api_key": "sk-x"},
            (Exchange("/v1/user/info", status=404, json="NotFound"),),
            {"status": "bad_response"},
        ),
        Case(
            "truncated JSON",
            {"api_key": "sk-x"},
            (Exchange("/v1/user/info", text='{"code":20000,"status":true,"data":{"totalBal'),),
            {"status": "bad_response", "balance": None},
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
