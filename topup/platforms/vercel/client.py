"""Vercel AI Gateway: ``GET {base}/v1/credits`` with ``Authorization: Bearer vck_...``.

Answers ``{"balance": "95.50", "total_used": "4.50"}``: the team's remaining credit and its
lifetime spend, decimal strings (numbers accepted too), USD. Zero and negative balances are
values. Failures carry ``{"error": {"message", "type"}}`` (the AI SDK's gateway error shape).
"""

from __future__ import annotations

from topup.account import Account
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import bearer_get, error_under_200, read_object, retired
from topup.platforms.responses import decimal_field

PATH = "/v1/credits"
CURRENCY = "USD"  # AI Gateway credits are US dollars


class Vercel(Provider):
    name = "vercel"
    title = "Vercel AI Gateway"
    default_base_url = "https://ai-gateway.vercel.sh"
    fields = (CredentialField("api_key", "AI Gateway API key (vck_...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "USD (team AI Gateway credits)"
    key_prefixes = ("vck_",)

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH)
        body = read_object(
            response, retired=retired(self.title, PATH), refused="AI Gateway API key rejected"
        )
        error_under_200(body)
        return Balance(
            currency=CURRENCY,
            balance=decimal_field(body, "balance"),
            used=decimal_field(body, "total_used", required=False),
            scope="account",
        )
