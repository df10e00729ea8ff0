"""OpenRouter: ``GET {base}/v1/credits``, else the key's own ``GET {base}/v1/key``.

``/credits`` (a management key): ``{"data": {"total_credits", "total_usage"}}``, USD numbers;
the account's balance is ``total_credits - total_usage`` and may be negative. Free-tier keys get
HTTP 200 with zeros there: zeros are values. An ordinary key gets 401/403 on ``/credits`` on
some accounts; then ``/key`` tells that key's own limit: ``limit_remaining`` is what is left in
the current reset window (``limit_reset``: daily, weekly, monthly or null), ``limit`` the cap
(null: unlimited), ``usage`` lifetime spend and ``usage_daily|weekly|monthly`` the window's.
``limit - usage`` mixes a monthly cap with lifetime spend: it is never computed. HTTP 402 means
no credits left. Failures are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from topup.account import Account
from topup.errors import BadResponseError, ExhaustedError
from topup.model import PERIODS, Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import (
    AUTH_STATUSES,
    bearer_get,
    error_under_200,
    read_object,
    retired,
)
from topup.platforms.responses import body_text, decimal_field, raise_for_transient

CREDITS = "/v1/credits"
KEY = "/v1/key"
CURRENCY = "USD"  # OpenRouter credits are US dollars
NO_CREDITS = 402


class OpenRouter(Provider):
    name = "openrouter"
    title = "OpenRouter"
    default_base_url = "https://openrouter.ai/api"
    fields = (CredentialField("api_key", "API key or management key (sk-or-v1-...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = (
        "USD; a management key shows the account (credits - usage), any other key its own "
        "limit (limit_remaining in its reset window)"
    )
    key_prefixes = ("sk-or-",)

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, CREDITS)
        raise_for_transient(response, retired=retired(self.title, CREDITS))
        if response.status_code in AUTH_STATUSES:  # not a management key: the key's own limit
            response = yield bearer_get(self, account, KEY)
            return key_balance(data_of(self.answer(response, KEY)))
        return account_balance(data_of(self.answer(response, CREDITS)))

    def answer(self, response: httpx.Response, path: str) -> dict[str, Any]:
        if response.status_code == NO_CREDITS:
            raise ExhaustedError(f"OpenRouter: no credits left (HTTP 402): {body_text(response)}")
        body = read_object(response, retired=retired(self.title, path), refused="API key rejected")
        error_under_200(body)
        return body


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise BadResponseError("answer has no data object")
    return data


def account_balance(data: dict[str, Any]) -> Balance:
    credits = decimal_field(data, "total_credits")
    usage = decimal_field(data, "total_usage")
    assert credits is not None and usage is not None
    return Balance(currency=CURRENCY, balance=credits - usage, used=usage, scope="account")


def key_balance(data: dict[str, Any]) -> Balance:
    """One key: what is left of its limit in the current window, never ``limit - usage``."""
    limit = decimal_field(data, "limit", required=False)
    period, used, note = window_usage(data)
    common: dict[str, Any] = {"used": used, "period": period, "scope": "key", "message": note}
    if limit is None:
        return Balance(currency=CURRENCY, unlimited=True, **common)
    remaining = decimal_field(data, "limit_remaining", required=False)
    if remaining is None:
        raise BadResponseError("key has a limit but no 'limit_remaining'")
    return Balance(currency=CURRENCY, balance=remaining, limit=limit, **common)


def window_usage(data: dict[str, Any]) -> tuple[str | None, Decimal | None, str | None]:
    """The key's reset period, the usage of its current window (lifetime when it never
    resets) and a note: an unknown period keeps the balance but shows no usage."""
    reset = data.get("limit_reset")
    if reset is None:
        return None, decimal_field(data, "usage", required=False), None
    if reset not in PERIODS:
        return (
            None,
            None,
            f"unknown limit_reset {str(reset)[:40]!r}: the window's usage is not shown",
        )
    return str(reset), decimal_field(data, f"usage_{reset}", required=False), None
