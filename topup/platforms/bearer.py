"""Client helpers for platforms whose balance is one ``GET`` with a Bearer key that answers a
JSON object: the request, and the HTTP statuses that mean the same on all of them."""

from __future__ import annotations

from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError
from topup.platforms.base import Provider, parsed_url
from topup.platforms.responses import body_text, error_message, parse_object, raise_for_transient

AUTH_STATUSES = (401, 403)
#: The header of a request that asks for JSON.
ACCEPT_JSON = {"Accept": "application/json"}


def bearer_get(
    provider: Provider,
    account: Account,
    path: str,
    field: str = "api_key",
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    """``GET path`` under the account's base URL with ``Authorization: Bearer <field>`` (and
    ``headers``)."""
    return httpx.Request(
        "GET",
        parsed_url(provider.url(account, path)),
        headers={"Authorization": f"Bearer {account.secret(field)}", **(headers or {})},
    )


def retired(title: str, path: str) -> str:
    """The message of an HTTP 410 from a balance endpoint."""
    return f"{title} answered 410 Gone for {path}: the balance endpoint was retired"


def read_object(response: httpx.Response, *, retired: str, refused: str) -> dict[str, Any]:
    """The JSON object of a 200 answer. 410/429/5xx are classified once
    (:func:`raise_for_transient`), 401/403 are the credential refused (``refused`` says which
    credential), any other status is a bad response."""
    raise_for_transient(response, retired=retired)
    status = response.status_code
    if status in AUTH_STATUSES:
        raise AuthError(f"{refused} (HTTP {status}): {body_text(response)}")
    if status != 200:
        raise BadResponseError(f"unexpected HTTP {status}: {body_text(response)}")
    return parse_object(response)


def error_under_200(body: dict[str, Any]) -> None:
    """An ``error`` member in a 200 answer is a failure, never a balance."""
    if body.get("error") not in (None, "", {}):
        message = error_message(body) or "no message"
        raise BadResponseError(f"platform reported an error under HTTP 200: {message}")
