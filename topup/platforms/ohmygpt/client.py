"""OhMyGPT: ``POST {base}/api/v1/user/admin/balance`` with ``Bearer <admin key>``.

Documented answer (Apifox doc of 2023-08, sample host ``cfwus02.opapi.win``; the docs moved to
ohmygpt-docs.apifox.cn): ``{"statusCode": 200, "message": "get user balance success", "data":
{"balance": "8217.00", "free_balance": "0.00"}}``, amounts as strings. ``statusCode`` is checked
on every answer (public clients see ``statusCode: 401`` under HTTP 200 for a bad key; the doc
lists HTTP 401). ``free_balance`` is the daily free allowance, reported as ``granted``.

The unit is **not stated** anywhere OhMyGPT documents: public clients divide by 34000 to show
CNY, which OhMyGPT does not confirm. So the result has no currency unless the account declares
one (``currency``, with ``quota_per_unit`` = answered units per 1 of it); never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, CheckError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.responses import (
    body_text,
    decimal_field,
    error_message,
    parse_object,
    raise_for_transient,
)

PATH = "/api/v1/user/admin/balance"
RETIRED = f"OhMyGPT retired its balance endpoint (HTTP 410 Gone from {PATH})"
OK = 200


@dataclass(frozen=True, slots=True)
class Unit:
    """What the answered numbers are: a currency (None: unknown) and how many make 1 of it."""

    currency: str | None
    per_unit: Decimal

    def of(self, raw: Decimal | None) -> Decimal | None:
        return None if raw is None else raw / self.per_unit


def unit_for(account: Account) -> Unit:
    """The one unit rule: unknown (no currency, numbers as answered) unless the account
    declares ``currency`` and, optionally, ``quota_per_unit``."""
    if not account.currency:
        return Unit(None, Decimal(1))
    return Unit(account.currency.upper(), account.quota_per_unit or Decimal(1))


def refusal(body: dict[str, Any], http_status: int) -> CheckError:
    code = body.get("statusCode")
    shown = f"{error_message(body) or 'no message'} (statusCode {code}, HTTP {http_status})"
    if http_status in (401, 403) or code in (401, 403):
        return AuthError(f"OhMyGPT admin key rejected: {shown}")
    return BadResponseError(f"OhMyGPT reported a failure: {shown}")


def balance_of(data: dict[str, Any], unit: Unit) -> Balance:
    balance = decimal_field(data, "balance")
    free = decimal_field(data, "free_balance", required=False)
    return Balance(unit.currency, balance=unit.of(balance), granted=unit.of(free), scope="account")


class OhMyGPT(Provider):
    name = "ohmygpt"
    title = "OhMyGPT"
    default_base_url = "https://api.ohmygpt.com"
    fields = (CredentialField("api_key", "OhMyGPT API key with admin permission"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = (
        "unit not documented: no currency unless `currency` is set "
        "(with `quota_per_unit` = answered units per 1 of it)"
    )

    def check(self, account: Account) -> CheckFlow:
        response = yield httpx.Request(
            "POST",
            self.url(account, PATH),
            headers={
                "Authorization": f"Bearer {account.secret('api_key')}",
                "Accept": "application/json",
            },
        )
        raise_for_transient(response, retired=RETIRED)
        status = response.status_code
        if status not in (200, 401, 403):
            raise BadResponseError(f"unexpected HTTP {status} from OhMyGPT: {body_text(response)}")
        try:
            body = parse_object(response)
        except CheckError:
            if status != 200:
                raise refusal({"message": body_text(response)}, status) from None
            raise
        if status != 200 or body.get("statusCode") != OK:
            raise refusal(body, status)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("OhMyGPT answer has no data object")
        return balance_of(data, unit_for(account))
