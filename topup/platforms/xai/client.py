"""xAI: ``GET {base}/v1/billing/teams/{team_id}/prepaid/balance`` with a **management** key
(Bearer) and the team id (a setting, not a secret).

Answers ``{"changes": [...], "total": {"val": "-2500"}}``: the prepaid ledger in US **cents**,
as a string, with the sign inverted (a $25.00 credit is ``"-2500"``, a deficit is positive).
The ledger posts spend when a billing cycle closes, so mid-cycle it can be above the console's
live figure. Postpaid teams have no prepaid balance: HTTP 404 (as does a wrong team id).
"""

from __future__ import annotations

from decimal import Decimal

from topup.account import Account
from topup.errors import BadResponseError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import bearer_get, error_under_200, read_object, retired
from topup.platforms.responses import body_text, decimal_field

PATH = "/v1/billing/teams/{team_id}/prepaid/balance"
CURRENCY = "USD"
TEAM_ID = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
NOT_PREPAID = 404


def usd_of_ledger(cents: Decimal) -> Decimal:
    """The one unit rule: the ledger's ``total.val`` is cents with the sign inverted."""
    return -cents / 100


class XAI(Provider):
    name = "xai"
    title = "xAI"
    default_base_url = "https://management-api.x.ai"
    fields = (
        CredentialField("api_key", "management key (an inference API key is refused)"),
        CredentialField(
            "team_id",
            "team id (xAI console: team settings)",
            secret=False,
            pattern=TEAM_ID,
            example="8c1f7e52-3b9d-4a7e-9f02-6d5e4c3b2a10",
        ),
    )
    modes = (frozenset({"api_key", "team_id"}),)
    currency_rule = "USD (prepaid ledger: cents, sign inverted; posted at cycle close)"

    def check(self, account: Account) -> CheckFlow:
        team = account.option("team_id")
        path = PATH.format(team_id=team)
        response = yield bearer_get(self, account, path)
        if response.status_code == NOT_PREPAID:
            raise BadResponseError(
                f"xAI has no prepaid balance for team {team} (HTTP 404): postpaid teams have "
                f"none (see the invoice preview in the xAI console); otherwise check team_id: "
                f"{body_text(response)}"
            )
        body = read_object(
            response,
            retired=retired(self.title, PATH),
            refused="management key rejected (an inference API key cannot read billing)",
        )
        error_under_200(body)
        total = body.get("total")
        if not isinstance(total, dict):
            raise BadResponseError("answer has no total object")
        cents = decimal_field(total, "val")
        assert cents is not None
        return Balance(currency=CURRENCY, balance=usd_of_ledger(cents), scope="account")
