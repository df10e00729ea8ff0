"""DeepSeek: ``GET {base}/user/balance`` with ``Authorization: Bearer <api key>``.

The answer (api-docs.deepseek.com, "Get User Balance") is ``{is_available, balance_infos[]}``;
each entry is ``{currency, total_balance, granted_balance, topped_up_balance}`` with the amounts
as decimal strings (an older revision of the docs typed them as numbers: both are read).
``currency`` is ``CNY`` or ``USD``, one entry per currency, and an account may hold both.

Every entry is kept (:attr:`~topup.model.Amounts.balances`); the flat fields show the entry in
the account's ``currency`` when set, else the only entry, else stay null: never a silent pick.
(Peers that show one number lose a currency: the first row, or USD first, which shows 0.00 for an
account with an empty USD row and a funded CNY row.) ``is_available: false`` means the balance
cannot pay for API calls: the account is ``exhausted``, with its amounts. An empty
``balance_infos`` is unknown, never zero.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, ExhaustedError
from topup.model import Balance, CurrencyBalance, Status
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.responses import (
    body_text,
    decimal_field,
    error_message,
    parse_object,
    raise_for_transient,
    snippet,
)

RETIRED = "DeepSeek retired its balance endpoint (HTTP 410 Gone from /user/balance)"
_CURRENCY = re.compile(r"[A-Za-z]{3}")


class DeepSeek(Provider):
    name = "deepseek"
    title = "DeepSeek"
    default_base_url = "https://api.deepseek.com"
    fields = (CredentialField("api_key", "API key (sk-...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = (
        "each balance_infos entry carries its currency (CNY and/or USD), all kept; the flat "
        "fields show the account's `currency`, else the only entry, else stay null"
    )

    api_at_root = True  # https://api.deepseek.com/v1 pasted from OpenAI-style settings works

    def check(self, account: Account) -> CheckFlow:
        response = yield httpx.Request(
            "GET",
            self.url(account, "/user/balance"),
            headers={
                "Authorization": f"Bearer {account.secret('api_key')}",
                "Accept": "application/json",
            },
        )
        raise_for_transient(response, retired=RETIRED)
        if response.status_code in (401, 403):
            raise AuthError(
                f"API key rejected (HTTP {response.status_code}): {body_text(response)}"
            )
        if response.status_code == 402:
            raise ExhaustedError(f"insufficient balance (HTTP 402): {body_text(response)}")
        if response.status_code != 200:
            raise BadResponseError(f"unexpected HTTP {response.status_code}: {body_text(response)}")
        return self.balance(parse_object(response), account.currency)

    @staticmethod
    def balance(body: dict[str, Any], preferred: str | None) -> Balance:
        if "balance_infos" not in body and "error" in body:
            message = error_message(body) or "no message"
            raise BadResponseError(f"platform reported failure: {message}")
        infos = body.get("balance_infos")
        if not isinstance(infos, list):
            raise BadResponseError("answer has no balance_infos list")
        available = body.get("is_available")
        entries = tuple(entry(info, preferred) for info in infos)
        currencies = [e.currency for e in entries]
        if len(set(currencies)) != len(currencies):
            raise BadResponseError(f"balance_infos lists a currency twice: {currencies}")
        if not entries:
            if available is False:
                raise ExhaustedError(
                    "DeepSeek says the balance cannot pay for API calls (is_available: false) "
                    "and lists no amounts"
                )
            raise BadResponseError("answer lists no balance (empty balance_infos): unknown")
        notes = []
        status = Status.OK
        if available is False:
            status = Status.EXHAUSTED
            notes.append("DeepSeek says the balance cannot pay for API calls (is_available: false)")
        if preferred and preferred.upper() not in currencies:
            notes.append(
                f"the account's currency {preferred.upper()} is not among the answer's "
                f"({', '.join(currencies)}): every currency is in balances"
            )
        return Balance.of_entries(
            entries, preferred, status=status, message="; ".join(notes) or None
        )


def entry(info: Any, preferred: str | None) -> CurrencyBalance:
    """One ``balance_infos`` entry. A missing total is the sum of its parts; no amount at all
    is a bad response (unknown, never zero)."""
    if not isinstance(info, dict):
        raise BadResponseError("a balance_infos entry is not an object")
    currency = info.get("currency")
    if currency is None and preferred:
        currency = preferred
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency.strip()):
        shown = snippet(str(currency), 20)
        raise BadResponseError(f"a balance_infos entry has no usable currency ({shown!r})")
    total = decimal_field(info, "total_balance", required=False)
    granted = decimal_field(info, "granted_balance", required=False)
    paid = decimal_field(info, "topped_up_balance", required=False)
    if total is None:
        if granted is None or paid is None:
            raise BadResponseError(f"the {currency.upper()} entry has no total_balance")
        total = granted + paid
    return CurrencyBalance(
        currency=currency.strip().upper(), balance=total, granted=granted, paid=paid
    )
