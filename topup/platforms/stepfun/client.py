"""StepFun: ``GET {base}/v1/accounts`` with ``Authorization: Bearer <api key>``.

The answer (platform.stepfun.com/docs/zh/api-reference/accounts/get) is ``{object: "account",
type: "prepaid" | "postpaid", balance, total_cash_balance, total_voucher_balance}`` with JSON
numbers. ``balance`` is the available balance. ``total_cash_balance`` and
``total_voucher_balance`` are lifetime sums (everything ever topped up, everything ever granted),
not the parts of the balance: they are not reported as paid and granted (a peer that does shows
"granted 50" on an account whose vouchers were spent long ago).

Currency: ``api.stepfun.com`` (the default) is CNY. ``api.stepfun.ai`` is taken as USD, as public
clients do; StepFun's docs do not say so, which the currency rule states. Any other host (a proxy,
the sandbox) is CNY unless the account sets ``currency``. The endpoint covers pay-as-you-go
accounts only; a Step Plan subscription's credits are not in it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from topup.account import Account
from topup.errors import AuthError, BadResponseError
from topup.model import Balance
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

RETIRED = "StepFun retired its balance endpoint (HTTP 410 Gone from /v1/accounts)"


def currency_for(base_url: str, override: str | None) -> str:
    """The account's ``currency``, else the host: ``.ai`` is USD (unconfirmed by StepFun's
    docs), anything else CNY."""
    if override:
        return override
    host = (urlsplit(base_url).hostname or "").lower()
    return "USD" if host.endswith(".ai") else "CNY"


class StepFun(Provider):
    name = "stepfun"
    title = "StepFun"
    default_base_url = "https://api.stepfun.com"
    fields = (CredentialField("api_key", "API key"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = (
        "CNY on api.stepfun.com (the default) and any other host; USD when the host ends in .ai "
        "(api.stepfun.ai: what public clients assume, not confirmed by StepFun's docs); "
        "`currency` overrides"
    )

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, "/v1/accounts")
        raise_for_transient(response, retired=RETIRED)
        if response.status_code in (401, 403):
            raise AuthError(
                f"API key rejected (HTTP {response.status_code}): {body_text(response)} "
                "(a Step Plan key has no pay-as-you-go account to read)"
            )
        if response.status_code != 200:
            raise BadResponseError(f"unexpected HTTP {response.status_code}: {body_text(response)}")
        body = parse_object(response)
        if "balance" not in body and "error" in body:
            raise BadResponseError(
                f"platform reported failure: {error_message(body) or 'no message'}"
            )
        return self.balance(body, currency_for(self.base_url(account), account.currency))

    @staticmethod
    def balance(body: dict[str, Any], currency: str) -> Balance:
        kind = body.get("object")
        if kind is not None and kind != "account":
            raise BadResponseError(f"expected an account object, got {snippet(str(kind), 40)!r}")
        balance = decimal_field(body, "balance")
        message = None
        if body.get("type") == "postpaid":
            message = "postpaid account: the balance is not a prepaid limit"
        return Balance(currency=currency, balance=balance, message=message)
