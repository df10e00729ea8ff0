"""AIHubMix (seed document 001): a new-api site at ``https://aihubmix.com``.

Account mode of :mod:`topup.platforms.newapi.client`: ``GET /api/user/self`` with the **manage key**
as ``Authorization: Bearer``; balance = ``quota / 500000`` USD, used = ``used_quota / 500000``.
The answer carries ``password``, ``access_token`` and ``verification_code``; they are dropped at
parse time.
"""

from __future__ import annotations

from topup.platforms.base import CredentialField
from topup.platforms.newapi.client import USER_ID, NewAPI


class AIHubMix(NewAPI):
    name = "aihubmix"
    title = "AIHubMix"
    default_base_url = "https://aihubmix.com"
    fields = (
        CredentialField("access_token", "manage key"),
        CredentialField(
            "user_id", "numeric user id (optional)", secret=False, pattern=USER_ID, example="42"
        ),
    )
    modes = (frozenset({"access_token"}),)
    currency_rule = "USD (quota / 500000, or the site's quota_per_unit); `currency` overrides"
