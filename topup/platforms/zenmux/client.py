"""ZenMux: ``GET {base}/api/v1/management/payg/balance`` with a **management** key (Bearer).

Answers ``{"success": true, "data": {"currency": "usd", "total_credits", "top_up_credits",
"bonus_credits"}}`` (numbers): the Pay-As-You-Go balance is ``total_credits``, its paid part
``top_up_credits`` and its bonus part ``bonus_credits``. ``success`` is checked. Failures are
``{"error": {"code": "403", "type": "access_denied", "message"}}``; an ordinary API key is
refused (403). The management endpoints answer HTTP **422** when their rate limit is exceeded.
"""

from __future__ import annotations

import re
from typing import Any

from topup.account import Account
from topup.errors import BadResponseError, RateLimitedError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import bearer_get, read_object, retired
from topup.platforms.responses import body_text, decimal_field, error_message

PATH = "/api/v1/management/payg/balance"
RATE_LIMITED = 422  # ZenMux's management endpoints: "exceeding the limit returns a 422 error"


def currency_of(data: dict[str, Any]) -> str:
    """The one currency rule: ``data.currency`` upper-cased (documented as always "usd")."""
    value = data.get("currency", "usd")
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value):
        raise BadResponseError(f"unknown currency {str(value)[:20]!r}")
    return value.upper()


class ZenMux(Provider):
    name = "zenmux"
    title = "ZenMux"
    default_base_url = "https://zenmux.ai"
    fields = (CredentialField("api_key", "management API key (not an ordinary API key)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "the answer's currency (always usd): Pay-As-You-Go credits"

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH)
        if response.status_code == RATE_LIMITED:
            raise RateLimitedError(f"rate limited by ZenMux (HTTP 422): {body_text(response)}")
        body = read_object(
            response,
            retired=retired(self.title, PATH),
            refused="management key rejected (an ordinary API key cannot read the balance)",
        )
        if body.get("success") is not True:
            raise BadResponseError(
                f"ZenMux reported failure: {error_message(body) or 'no message'}"
            )
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("answer has no data object")
        return Balance(
            currency=currency_of(data),
            balance=decimal_field(data, "total_credits"),
            paid=decimal_field(data, "top_up_credits", required=False),
            granted=decimal_field(data, "bonus_credits", required=False),
            scope="account",
        )
