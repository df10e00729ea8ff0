"""302.AI (provider ``302ai``): ``GET {base}/dashboard/balance`` with the API key (Bearer).

Answers ``{"data": {"balance": "12.34"}}``: the account's balance in USD, a decimal string (a
number is accepted too). The key needs 302.AI's balance-query permission. A ``code`` other than
0, or an ``error`` object, under HTTP 200 is a failure. A base URL pasted with the ``/v1`` of
the OpenAI-compatible settings still reaches ``/dashboard/balance`` at the host's root.
"""

from __future__ import annotations

from topup.account import Account
from topup.errors import BadResponseError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import bearer_get, error_under_200, read_object, retired
from topup.platforms.responses import decimal_field, error_message

PATH = "/dashboard/balance"
CURRENCY = "USD"  # 302.AI balances are US dollars
OK_CODE = 0


class AI302(Provider):
    name = "302ai"
    title = "302.AI"
    default_base_url = "https://api.302.ai"
    fields = (CredentialField("api_key", "API key (with the balance-query permission)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "USD"
    api_at_root = True  # /dashboard/balance is not under the OpenAI-style /v1

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH)
        body = read_object(
            response,
            retired=retired(self.title, PATH),
            refused="API key rejected (it needs the balance-query permission)",
        )
        error_under_200(body)
        if body.get("code", OK_CODE) != OK_CODE:
            message = error_message(body) or body.get("msg") or "no message"
            raise BadResponseError(f"302.AI reported failure (code {body.get('code')}): {message}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("answer has no data object")
        return Balance(currency=CURRENCY, balance=decimal_field(data, "balance"), scope="account")
