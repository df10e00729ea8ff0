"""Moonshot AI (Kimi): ``GET {base}/v1/users/me/balance`` with ``Authorization: Bearer <key>``.

The answer (platform.moonshot.cn/docs/api/balance) is ``{code: 0, data: {available_balance,
voucher_balance, cash_balance}, scode: "0x0", status: true}`` with JSON numbers. balance =
``available_balance``, granted = ``voucher_balance`` (never negative), paid = ``cash_balance``,
which is negative when the account is in arrears; the docs' rule is then "available = voucher"
(a real arrears answer: ``available 0, voucher 0, cash -31.14918``). The docs also say that at
``available_balance <= 0`` the inference API refuses the account: that is ``exhausted``, with
its amounts. ``status: false`` or ``code != 0`` is a failure even under HTTP 200.

No currency field: the host decides. ``api.moonshot.cn`` (the default) is CNY, ``api.moonshot.ai``
is USD; any other host (a proxy, the sandbox) is taken as CNY unless the account sets
``currency``. Keys belong to one platform: a ``.cn`` key is refused by the ``.ai`` host (HTTP 401
``invalid_authentication_error``) and the reverse.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, ExhaustedError
from topup.model import Balance, Status
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import bearer_get
from topup.platforms.responses import (
    body_text,
    decimal_field,
    error_message,
    parse_object,
    raise_for_transient,
    snippet,
)

RETIRED = "Moonshot retired its balance endpoint (HTTP 410 Gone from /v1/users/me/balance)"
#: The error type of "you have no money left" (HTTP 429 on Moonshot, not a rate limit).
QUOTA_EXCEEDED = "exceeded_current_quota_error"
KEY_HOST_HINT = (
    "Moonshot keys belong to one platform: a platform.moonshot.cn key is refused by "
    "api.moonshot.ai and a platform.moonshot.ai key by api.moonshot.cn"
)


def currency_for(base_url: str, override: str | None) -> str:
    """The account's ``currency``, else the host: ``.ai`` is USD, anything else CNY."""
    if override:
        return override
    host = (urlsplit(base_url).hostname or "").lower()
    return "USD" if host.endswith(".ai") else "CNY"


def error_type(response: httpx.Response) -> str | None:
    """``error.type`` of an OpenAI-style error body, if the answer is one."""
    try:
        body = parse_object(response)
    except BadResponseError:
        return None
    error = body.get("error")
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) else None


class Moonshot(Provider):
    name = "moonshot"
    title = "Moonshot AI (Kimi)"
    default_base_url = "https://api.moonshot.cn"
    fields = (CredentialField("api_key", "API key (sk-...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = (
        "USD when the base URL's host ends in .ai (api.moonshot.ai), else CNY "
        "(api.moonshot.cn, the default); `currency` overrides"
    )

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, "/v1/users/me/balance")
        if response.status_code == 429 and error_type(response) == QUOTA_EXCEEDED:
            raise ExhaustedError(f"quota exceeded (HTTP 429): {body_text(response)}")
        raise_for_transient(response, retired=RETIRED)
        if response.status_code == 401:
            raise AuthError(f"API key rejected (HTTP 401): {body_text(response)}; {KEY_HOST_HINT}")
        if response.status_code == 403:
            raise AuthError(f"access refused (HTTP 403): {body_text(response)}")
        if response.status_code != 200:
            raise BadResponseError(f"unexpected HTTP {response.status_code}: {body_text(response)}")
        body = parse_object(response)
        code = body.get("code")
        if body.get("status") is False or (code is not None and code != 0):
            message = error_message(body) or f"scode {snippet(str(body.get('scode')), 20)}"
            raise BadResponseError(f"platform reported failure (code {code}): {message}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("answer has no data object")
        return self.balance(data, currency_for(self.base_url(account), account.currency))

    @staticmethod
    def balance(data: dict[str, Any], currency: str) -> Balance:
        available = decimal_field(data, "available_balance", required=False)
        voucher = decimal_field(data, "voucher_balance", required=False)
        cash = decimal_field(data, "cash_balance", required=False)
        if available is None:
            if voucher is None or cash is None:
                raise BadResponseError("answer has no available_balance")
            available = voucher if cash < 0 else voucher + cash  # the docs' rule
        notes = []
        if cash is not None and cash < 0:
            notes.append(f"in arrears: cash balance {cash} {currency}")
        status = Status.OK
        if available <= 0:
            status = Status.EXHAUSTED
            notes.insert(
                0, f"available balance {available} {currency}: Moonshot refuses API calls at <= 0"
            )
        return Balance(
            currency=currency,
            balance=available,
            granted=voucher,
            paid=cash,
            status=status,
            message="; ".join(notes) or None,
        )
