"""PPIO (派欧云): ``GET {base}/v3/user`` with ``Authorization: Bearer <api key>``.

The answer's ``credit_balance`` (a JSON number) is the balance in 1/10000 CNY: public clients
divide it by 10000 and print ``¥``, and one sets "1 yuan = 10000" as its threshold. PPIO's own
docs (ppio.com, "获取账户信息") document only ``credit_balance``, without its unit.

Auth: the project's notes said "raw key, no Bearer", and one widely used client sends the bare
key; PPIO's docs show ``Authorization: Bearer {{API Key}}``, and other public clients (an OpenAI
SDK pointed at ``/v3/user``, a Rust checker) send Bearer. Public clients use both forms, so both
appear to be accepted (not verified against the live service here); topup sends the documented
one. Without a key the live service answers HTTP 400
``{"code": 400, "reason": "MISSING_API_KEY"}``; PPIO is the same platform as Novita (identical
model catalogue and error envelope), so its failures are read with Novita's rules
(``INVALID_API_KEY``, ``NOT_ENOUGH_BALANCE``...).
"""

from __future__ import annotations

from topup.account import Account
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.novita.client import get, read, units

RETIRED = "PPIO retired this balance endpoint (HTTP 410 Gone from /v3/user)"


class PPIO(Provider):
    name = "ppio"
    title = "PPIO"
    default_base_url = "https://api.ppinfra.com"
    fields = (CredentialField("api_key", "API key (sk_...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "CNY (credit_balance in 1/10000 CNY); `currency` overrides"

    def check(self, account: Account) -> CheckFlow:
        response = yield get(account, self.base_url(account), "/v3/user")
        body = read(response, "credit_balance", retired=RETIRED)
        return Balance(currency=account.currency or "CNY", balance=units(body, "credit_balance"))
