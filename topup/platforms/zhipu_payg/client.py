"""Zhipu BigModel (China) pay-as-you-go balance, read with an ordinary API key.

``GET {base}/api/biz/account/query-customer-account-report`` with ``Authorization: Bearer
<api key>`` (the console's finance endpoint; undocumented, seen working by CodexBar in 2026-08
and by other public clients since). Envelope ``{"code": 200, "msg": "操作成功", "success": true,
"data": {...}}``: ``data.availableBalance`` is what the account can spend (``balance`` minus
``frozenBalance``), ``totalSpendAmount`` what it spent; amounts are JSON numbers in CNY (even
``0E-9``), negative in arrears (a value, not an error). Failures come as **HTTP 200** with
``success: false`` and a business code: 1000-1004 authentication, 1110/1112 an inactive or
locked account, 1113 arrears. The inference API reports arrears as HTTP 429 with
``{"error": {"code": "1113"}}``: that is ``exhausted``, not a rate limit.
"""

from __future__ import annotations

from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, CheckError, DisabledError, ExhaustedError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import ACCEPT_JSON, bearer_get
from topup.platforms.responses import (
    body_text,
    decimal_field,
    parse_json,
    parse_object,
    raise_for_transient,
    snippet,
)

PATH = "/api/biz/account/query-customer-account-report"
RETIRED = f"Zhipu retired this balance endpoint (HTTP 410 Gone from {PATH})"
OK_CODE = 200
#: Zhipu's business codes (docs.bigmodel.cn error codes) that are about the account.
AUTH_CODES = frozenset({401, 1000, 1001, 1002, 1003, 1004, 1111})
DISABLED_CODES = frozenset({1110, 1112})
ARREARS_CODE = 1113


def currency_for(account: Account) -> str:
    """The one currency rule: bigmodel.cn accounts are in CNY unless the account says."""
    return (account.currency or "CNY").upper()


def business_code(body: Any) -> int | None:
    """The envelope's ``code`` (or the inference API's ``error.code``) as an integer."""
    if not isinstance(body, dict):
        return None
    code = body.get("code")
    error = body.get("error")
    if code is None and isinstance(error, dict):
        code = error.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    if isinstance(code, str) and code.strip().isdigit() and len(code) < 10:
        return int(code)
    return None


def message_of(body: dict[str, Any]) -> str:
    error = body.get("error")
    text = body.get("msg") or body.get("message")
    if not text and isinstance(error, dict):
        text = error.get("message")
    return snippet(text) if isinstance(text, str) and text.strip() else "no message"


def refusal(code: int | None, body: dict[str, Any]) -> CheckError:
    shown = f"{message_of(body)} (code {code})"
    if code in AUTH_CODES:
        return AuthError(f"Zhipu API key rejected: {shown}")
    if code in DISABLED_CODES:
        return DisabledError(f"Zhipu account inactive or locked: {shown}")
    if code == ARREARS_CODE:
        return ExhaustedError(f"Zhipu account in arrears: {shown}")
    return BadResponseError(f"Zhipu reported a failure: {shown}")


def arrears_refusal(response: httpx.Response) -> None:
    """Arrears answered as HTTP 429 (code 1113) is a refusal for lack of money."""
    if response.status_code != 429:
        return
    try:
        body = parse_json(response)
    except CheckError:
        return
    if business_code(body) == ARREARS_CODE:
        raise refusal(ARREARS_CODE, body)


def balance_of(data: dict[str, Any], currency: str) -> Balance:
    available = decimal_field(data, "availableBalance", required=False)
    if available is None:
        available = decimal_field(data, "balance", required=False)
    if available is None:
        raise BadResponseError("Zhipu answer has neither availableBalance nor balance")
    spent = decimal_field(data, "totalSpendAmount", required=False)
    return Balance(currency, balance=available, used=spent, scope="account")


class ZhipuPayg(Provider):
    name = "zhipu-payg"
    title = "Zhipu BigModel (pay-as-you-go balance)"
    default_base_url = "https://www.bigmodel.cn"
    fields = (CredentialField("api_key", "BigModel API key (id.secret)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "CNY (availableBalance of the bigmodel.cn account); `currency` overrides"

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH, headers=ACCEPT_JSON)
        arrears_refusal(response)
        raise_for_transient(response, retired=RETIRED)
        status = response.status_code
        if status in (401, 403):
            raise AuthError(f"Zhipu API key rejected (HTTP {status}): {body_text(response)}")
        if status != 200:
            raise BadResponseError(f"unexpected HTTP {status} from Zhipu: {body_text(response)}")
        body = parse_object(response)
        code = business_code(body)
        if body.get("success") is not True or code not in (None, OK_CODE):
            raise refusal(code, body)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("Zhipu answer has no data object")
        return balance_of(data, currency_for(account))
