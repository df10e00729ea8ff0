"""Toy: ``GET {base}/toy/balance`` answers ``{"left": "1.50", "currency": "EUR"}``."""

from __future__ import annotations

import httpx

from topup.account import Account
from topup.errors import AuthError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.responses import decimal_field, parse_object, raise_for_transient


class Toy(Provider):
    name = "toy"
    title = "Toy platform"
    default_base_url = None
    fields = (CredentialField("api_key", "toy key"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "the answer's currency"

    def check(self, account: Account) -> CheckFlow:
        response = yield httpx.Request(
            "GET",
            self.url(account, "/toy/balance"),
            headers={"Authorization": f"Bearer {account.secret('api_key')}"},
        )
        raise_for_transient(response, retired="toy retired this endpoint")
        if response.status_code == 401:
            raise AuthError("toy key rejected")
        body = parse_object(response)
        return Balance(currency=str(body["currency"]), balance=decimal_field(body, "left"))
