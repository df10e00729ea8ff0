"""DeepInfra: ``GET {base}/payment/checklist?compute_owed=true`` with ``Bearer <api key>``.

The answer (DeepInfra's OpenAPI description, read by CodexBar and others) carries, in USD as JSON
numbers: ``stripe_balance`` with an **inverted sign** (negative = prepaid credit on the account,
positive = money owed), ``recent`` (usage not yet invoiced, which that credit will pay for),
``limit`` (the spending limit; ``-1`` or null for none), ``suspended`` and ``suspend_reason``.
What the account can still spend is ``-stripe_balance - recent`` (the dashboard's "prepaid
credits"); it is negative when money is owed, and that is a value, not an error. A suspended
account is ``exhausted`` with its amounts kept. The same answer carries a billing address and
payment method: nothing but the fields above is read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError
from topup.model import Balance, Status
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.responses import (
    body_text,
    decimal_field,
    parse_object,
    raise_for_transient,
    snippet,
)

PATH = "/payment/checklist"
RETIRED = f"DeepInfra retired its balance endpoint (HTTP 410 Gone from {PATH})"
CURRENCY = "USD"


def spendable(stripe_balance: Decimal, recent: Decimal) -> Decimal:
    """The one sign rule: Stripe keeps prepaid credit as a negative balance, and unbilled usage
    is still to be taken from it."""
    return -stripe_balance - recent


def spending_limit(data: dict[str, Any]) -> Decimal | None:
    """The spending limit, or None when there is none (``-1``, ``0`` or null)."""
    limit = decimal_field(data, "limit", required=False)
    return limit if limit is not None and limit > 0 else None


def balance_of(data: dict[str, Any]) -> Balance:
    recent = decimal_field(data, "recent")
    stripe_balance = decimal_field(data, "stripe_balance")
    assert recent is not None and stripe_balance is not None  # required fields
    amounts: dict[str, Any] = {
        "balance": spendable(stripe_balance, recent),
        "used": recent,
        "limit": spending_limit(data),
        "scope": "account",
    }
    if data.get("suspended") is True:
        reason = data.get("suspend_reason")
        why = snippet(reason, 120) if isinstance(reason, str) and reason.strip() else "no reason"
        return Balance(
            CURRENCY,
            status=Status.EXHAUSTED,
            message=f"DeepInfra suspended the account: {why}",
            **amounts,
        )
    return Balance(CURRENCY, **amounts)


class DeepInfra(Provider):
    name = "deepinfra"
    title = "DeepInfra"
    default_base_url = "https://api.deepinfra.com"
    fields = (CredentialField("api_key", "DeepInfra API key (allowed to read billing)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "USD; balance = -stripe_balance - recent (prepaid credit minus unbilled usage)"

    def check(self, account: Account) -> CheckFlow:
        response = yield httpx.Request(
            "GET",
            self.url(account, PATH),
            params={"compute_owed": "true"},
            headers={
                "Authorization": f"Bearer {account.secret('api_key')}",
                "Accept": "application/json",
            },
        )
        raise_for_transient(response, retired=RETIRED)
        status = response.status_code
        if status in (401, 403):
            raise AuthError(f"DeepInfra API key rejected (HTTP {status}): {body_text(response)}")
        if status != 200:
            raise BadResponseError(
                f"unexpected HTTP {status} from DeepInfra: {body_text(response)}"
            )
        return balance_of(parse_object(response))
