"""Poe: ``GET {base}/usage/current_balance`` with ``Authorization: Bearer <api key>``.

Answer: ``{"current_point_balance": 2500}`` (an integer, required; creator.poe.com
api-reference/getCurrentBalance), the plan points plus add-on points. Points are not money:
the result's unit is ``POINTS``. A missing or null balance is unknown (``bad_response``), never
0. Failures use Poe's error envelope ``{"error": {"message", "type", "code"}}``: 401 invalid key,
403 a key without the permission, 402 when the points are used up (api-reference/errors).
"""

from __future__ import annotations

from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, ExhaustedError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import ACCEPT_JSON, bearer_get
from topup.platforms.responses import (
    body_text,
    decimal_field,
    error_message,
    parse_object,
    raise_for_transient,
)

PATH = "/usage/current_balance"
RETIRED = f"Poe retired its balance endpoint (HTTP 410 Gone from {PATH})"
#: The one unit rule: Poe balances are points.
UNIT = "POINTS"


def refusal(response: httpx.Response) -> None:
    """Poe's non-200 answers as typed errors (429/5xx/410 first, as everywhere)."""
    raise_for_transient(response, retired=RETIRED)
    status = response.status_code
    if status in (401, 403):
        raise AuthError(f"Poe API key rejected (HTTP {status}): {body_text(response)}")
    if status == 402:
        raise ExhaustedError(f"Poe points used up (HTTP 402): {body_text(response)}")
    if status != 200:
        raise BadResponseError(f"unexpected HTTP {status} from Poe: {body_text(response)}")


def balance_of(body: dict[str, Any]) -> Balance:
    """The point balance of a 200 answer (an error envelope under 200 is a failure)."""
    if "error" in body:
        raise BadResponseError(f"Poe reported a failure: {error_message(body) or 'no message'}")
    points = decimal_field(body, "current_point_balance")
    return Balance(currency=UNIT, balance=points, scope="account")


class Poe(Provider):
    name = "poe"
    title = "Poe"
    default_base_url = "https://api.poe.com"
    fields = (CredentialField("api_key", "Poe API key (poe.com/api/keys)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "POINTS (Poe's point balance: plan points plus add-on points)"

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH, headers=ACCEPT_JSON)
        refusal(response)
        return balance_of(parse_object(response))
