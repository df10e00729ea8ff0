"""AIProxy (aiproxy.io): ``GET {base}/api/report/getUserOverview`` with the key in ``Api-Key``.

The key goes in its own header, not ``Authorization``. Envelope
``{"success": true, "message": "", "error_code": 0, "data": {"totalPoints": 1234.5}}``:
``success`` is checked on every answer (a refusal comes as ``success: false`` with ``message``
and ``error_code``). ``data.totalPoints`` is the balance in AIProxy's points (``POINTS``); a
missing one is unknown, never 0. The shape is the one one-api and its forks read
(``AIProxyUserOverviewResponse``); AIProxy publishes no document of it.
"""

from __future__ import annotations

from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, CheckError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.responses import (
    body_text,
    decimal_field,
    error_message,
    parse_object,
    raise_for_transient,
)

PATH = "/api/report/getUserOverview"
RETIRED = f"AIProxy retired its balance endpoint (HTTP 410 Gone from {PATH})"
#: The one unit rule: AIProxy balances are points.
UNIT = "POINTS"
#: Words of a refusal that is about the key (AIProxy documents no error codes).
_KEY_WORDS = ("api key", "api-key", "apikey", "unauthor", "invalid key", "无效", "认证", "未授权")


def failure(body: dict[str, Any], http_status: int) -> CheckError:
    """A ``success: false`` answer as a typed error: about the key, or anything else."""
    message = error_message(body) or "no message"
    code = body.get("error_code")
    shown = f"{message} (error_code {code})" if code not in (None, 0, "") else message
    if http_status in (401, 403) or code in (401, 403):
        return AuthError(f"AIProxy API key rejected: {shown}")
    if any(word in message.lower() for word in _KEY_WORDS):
        return AuthError(f"AIProxy API key rejected: {shown}")
    return BadResponseError(f"AIProxy reported a failure: {shown}")


class AIProxy(Provider):
    name = "aiproxy"
    title = "AIProxy (aiproxy.io)"
    default_base_url = "https://aiproxy.io"
    fields = (CredentialField("api_key", "AIProxy API key (sent as the Api-Key header)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "POINTS (AIProxy's totalPoints)"

    def check(self, account: Account) -> CheckFlow:
        response = yield httpx.Request(
            "GET",
            self.url(account, PATH),
            headers={"Api-Key": account.secret("api_key") or "", "Accept": "application/json"},
        )
        raise_for_transient(response, retired=RETIRED)
        if response.status_code not in (200, 401, 403):
            raise BadResponseError(
                f"unexpected HTTP {response.status_code} from AIProxy: {body_text(response)}"
            )
        if response.status_code != 200:
            try:
                body = parse_object(response)
            except CheckError:
                body = {"message": body_text(response)}
            raise failure(body, response.status_code)
        body = parse_object(response)
        if body.get("success") is not True:
            raise failure(body, 200)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("AIProxy answer has no data object")
        return Balance(currency=UNIT, balance=decimal_field(data, "totalPoints"), scope="account")
