"""Novita AI: ``GET {base}/openapi/v1/billing/balance/detail`` with ``Authorization: Bearer``.

The answer (novita.ai/docs/api-reference/basic-get-user-balance) is ``{availableBalance,
cashBalance, creditLimit, pendingCharges, outstandingInvoices}``: integer strings in 1/10000 USD
(``10000`` = $1.00). balance = ``availableBalance`` / 10000, which *includes* the credit line
(the docs' example: 1000000 available = 800000 cash + 200000 credit limit, i.e. $100 = $80 +
$20); paid = ``cashBalance`` / 10000. The credit line is not subtracted: the message says how
much of the balance it is. cc-switch reads the older ``/v3/user/balance``; this is the
documented endpoint.

Failures carry the Novita/PPIO envelope ``{"code", "reason", "message"}``: a missing or wrong key
is HTTP 401 or 403 with ``reason: INVALID_API_KEY``; ``NOT_ENOUGH_BALANCE`` means exhausted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, ExhaustedError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.responses import (
    body_text,
    decimal_field,
    parse_object,
    raise_for_transient,
    snippet,
)

RETIRED = (
    "Novita retired this balance endpoint (HTTP 410 Gone from /openapi/v1/billing/balance/detail)"
)
UNIT = Decimal(10_000)  # amounts are in 1/10000 of the currency
#: Path suffixes of the OpenAI-compatible base URLs people paste (the balance is at the root).
OPENAI_SUFFIXES = ("/v3/openai", "/openai/v1", "/openai")


def root(base: str) -> str:
    """The host root of a base URL pasted from OpenAI-compatible settings."""
    for suffix in OPENAI_SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def reason(response: httpx.Response) -> str | None:
    """``reason`` of a Novita/PPIO failure envelope (``INVALID_API_KEY``...), if any."""
    try:
        body = parse_object(response)
    except BadResponseError:
        return None
    value = body.get("reason")
    return snippet(value, 60) if isinstance(value, str) else None


def raise_for_failure(response: httpx.Response, *, retired: str) -> None:
    """The failures of the Novita/PPIO family (shared with PPIO, the same platform)."""
    why = reason(response) if response.status_code >= 400 else None
    if why == "NOT_ENOUGH_BALANCE":
        raise ExhaustedError(
            f"not enough balance (HTTP {response.status_code}): {body_text(response)}"
        )
    raise_for_transient(response, retired=retired)
    if response.status_code in (401, 403) or (why is not None and "API_KEY" in why):
        raise AuthError(f"API key rejected (HTTP {response.status_code}): {body_text(response)}")
    if response.status_code != 200:
        raise BadResponseError(f"unexpected HTTP {response.status_code}: {body_text(response)}")


def get(account: Account, base: str, path: str) -> httpx.Request:
    """``GET path`` at the host root of ``base``, the key as Bearer (Novita and PPIO)."""
    return httpx.Request(
        "GET",
        f"{root(base)}{path}",
        headers={
            "Authorization": f"Bearer {account.secret('api_key')}",
            "Content-Type": "application/json",
        },
    )


def read(response: httpx.Response, field: str, *, retired: str) -> dict[str, Any]:
    """The answer's object; a failure envelope without ``field`` is a bad response."""
    raise_for_failure(response, retired=retired)
    body = parse_object(response)
    if field not in body and ("reason" in body or "error" in body):
        raise BadResponseError(f"platform reported failure: {body_text(response)}")
    return body


def units(body: dict[str, Any], name: str, *, required: bool = True) -> Decimal | None:
    """An amount in 1/10000 of the currency, as money."""
    value = decimal_field(body, name, required=required)
    return None if value is None else value / UNIT


class Novita(Provider):
    name = "novita"
    title = "Novita AI"
    default_base_url = "https://api.novita.ai"
    fields = (CredentialField("api_key", "API key (sk_...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "USD (amounts in 1/10000 USD); `currency` overrides"

    def check(self, account: Account) -> CheckFlow:
        path = "/openapi/v1/billing/balance/detail"
        response = yield get(account, self.base_url(account), path)
        body = read(response, "availableBalance", retired=RETIRED)
        return self.balance(body, account.currency or "USD")

    @staticmethod
    def balance(body: dict[str, Any], currency: str) -> Balance:
        available = units(body, "availableBalance")
        cash = units(body, "cashBalance", required=False)
        credit = units(body, "creditLimit", required=False)
        owed = units(body, "outstandingInvoices", required=False)
        notes = []
        if credit:
            of_it = f"; cash {cash:.2f} {currency}" if cash is not None else ""
            notes.append(f"includes a credit line of {credit:.2f} {currency}{of_it}")
        if owed:
            notes.append(f"outstanding invoices {owed:.2f} {currency}")
        return Balance(
            currency=currency, balance=available, paid=cash, message="; ".join(notes) or None
        )
