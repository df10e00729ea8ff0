"""SiliconFlow: ``GET {base}/v1/user/info`` (seed document 000).

Envelope ``{code: 20000, message, status: true, data}``; amounts are decimal strings.
``data.totalBalance`` is the balance, ``data.balance`` only its granted (gift/voucher) part and
``data.chargeBalance`` the paid part. No currency field: the host decides (``.cn`` is CNY,
otherwise USD) unless the account sets ``currency``. Since about 2026-08 the endpoint answers
HTTP 410 on some accounts: the platform retired it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError
from topup.model import Balance, Status
from topup.platforms.base import CheckFlow, CredentialField, Provider, parsed_url
from topup.platforms.responses import body_text, decimal_field, parse_object, raise_for_transient

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
    fields = (CredentialField("api_key", "API key (sk-...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "CNY when the base URL's host ends in .cn, else USD; `currency` overrides"

    def check(self, account: Account) -> CheckFlow:
        base = self.base_url(account)
        response = yield httpx.Request(
            "GET",
            parsed_url(f"{base}/v1/user/info"),
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
                scope="account",
                message=f"SiliconFlow account status is {state!r}",
            )
        return Balance(
            currency=currency, balance=total, granted=granted, paid=paid, scope="account"
        )
