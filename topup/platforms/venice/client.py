"""Venice: ``GET {base}/api/v1/billing/balance`` with an **ADMIN** API key (Bearer).

Answers ``{"canConsume": true, "consumptionCurrency": "DIEM", "balances": {"diem": 90.5,
"usd": 25}, "diemEpochAllocation": 100}`` (amounts are numbers or strings): one entry per
currency, USD and DIEM (staked credits, reset each epoch). ``consumptionCurrency`` is what is
spent first; ``canConsume: false`` means the account cannot make requests: exhausted, with its
amounts. An INFERENCE key gets HTTP 401. Failures are ``{"error": "<message>"}``.
"""

from __future__ import annotations

from typing import Any

from topup.account import Account
from topup.errors import BadResponseError
from topup.model import Balance, CurrencyBalance, Status
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import bearer_get, error_under_200, read_object, retired
from topup.platforms.responses import decimal_field

PATH = "/api/v1/billing/balance"
#: The one unit rule: the ``balances`` member -> its currency or unit code.
UNITS = {"usd": "USD", "diem": "DIEM"}


def entries(balances: dict[str, Any]) -> tuple[CurrencyBalance, ...]:
    """One entry per unit the answer gives (a missing or null one is unknown, not zero)."""
    found = (
        (code, decimal_field(balances, member, required=False)) for member, code in UNITS.items()
    )
    return tuple(CurrencyBalance(currency=code, balance=v) for code, v in found if v is not None)


class Venice(Provider):
    name = "venice"
    title = "Venice"
    default_base_url = "https://api.venice.ai"
    fields = (CredentialField("api_key", "ADMIN API key (an INFERENCE key is refused)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "USD and DIEM, one entry each; `currency` picks the one shown flat"

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH)
        body = read_object(
            response,
            retired=retired(self.title, PATH),
            refused="API key rejected (the balance needs an ADMIN key)",
        )
        error_under_200(body)
        balances = body.get("balances")
        if not isinstance(balances, dict):
            raise BadResponseError("answer has no balances object")
        found = entries(balances)
        if not found:
            raise BadResponseError("answer has neither a usd nor a diem balance")
        if body.get("canConsume") is False:
            return Balance.of_entries(
                found,
                account.currency,
                scope="account",
                status=Status.EXHAUSTED,
                message="Venice says the account cannot consume (canConsume: false): "
                "not enough USD or DIEM",
            )
        return Balance.of_entries(found, account.currency, scope="account")
