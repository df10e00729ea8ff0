"""AIHubMix (seed document 001): a new-api site at ``https://aihubmix.com``, two modes.

* **manage key** (``access_token``): the account mode of :mod:`topup.platforms.newapi.client`,
  ``GET /api/user/self`` as ``Authorization: Bearer``; balance = ``quota / 500000`` USD,
  used = ``used_quota / 500000``. The answer carries ``password``, ``access_token`` and
  ``verification_code``; they are dropped at parse time.
* **key** (``api_key``, an ``sk-`` key): ``GET /dashboard/billing/remain`` (Bearer, plus the
  optional ``APP-Code`` header), whose ``total_usage`` is what REMAINS in USD - the OpenAI field
  name with the opposite meaning; a negative value (``-0.000002``) marks an unlimited key. An
  exhausted key answers non-2xx with "quota exhausted" (``exhausted``).
"""

from __future__ import annotations

from decimal import Decimal

import httpx

from topup.account import Account
from topup.errors import BadResponseError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField
from topup.platforms.newapi.client import RETIRED, USER_ID, NewAPI, failure_from
from topup.platforms.responses import decimal_field, parse_object, raise_for_transient

REMAIN = "/dashboard/billing/remain"
#: An APP-Code as AIHubMix issues them (letters, digits, ``-``/``_``).
APP_CODE = r"[A-Za-z0-9_-]{1,64}"


def remain_balance(remaining: Decimal, currency: str) -> Balance:
    """The one rule of the remain endpoint: the figure is what is left; below 0 is unlimited."""
    if remaining < 0:
        return Balance(currency=currency, unlimited=True, scope="key")
    return Balance(currency=currency, balance=remaining, scope="key")


class AIHubMix(NewAPI):
    name = "aihubmix"
    title = "AIHubMix"
    default_base_url = "https://aihubmix.com"
    fields = (
        CredentialField("access_token", "manage key (account mode)"),
        CredentialField(
            "user_id", "numeric user id (optional)", secret=False, pattern=USER_ID, example="42"
        ),
        CredentialField("api_key", "an sk- key (key mode)"),
        CredentialField(
            "app_code",
            "APP-Code header for key mode (optional)",
            secret=False,
            pattern=APP_CODE,
            example="ABCD1234",
        ),
    )
    modes = (frozenset({"access_token"}), frozenset({"api_key"}))
    currency_rule = (
        "USD (manage key: quota / 500000, or the site's quota_per_unit; sk- key: the remaining "
        "USD); `currency` overrides"
    )

    def check(self, account: Account) -> CheckFlow:
        if account.secret("access_token"):
            return (yield from super().check(account))
        headers = {"Authorization": f"Bearer {account.secret('api_key')}"}
        app_code = account.option("app_code")
        if app_code:
            headers["APP-Code"] = app_code
        response = yield httpx.Request("GET", self.url(account, REMAIN), headers=headers)
        raise_for_transient(response, retired=RETIRED)
        if not 200 <= response.status_code < 300:
            raise failure_from(response, key=True)
        body = parse_object(response)
        if "error" in body or body.get("success") is False:
            raise failure_from(response, key=True)
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        if not isinstance(data, dict):
            raise BadResponseError("answer has no total_usage")
        remaining = decimal_field(data, "total_usage")
        assert remaining is not None
        return remain_balance(remaining, (account.currency or "USD").upper())
