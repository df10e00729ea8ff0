"""The new-api / one-api family: AIHubMix, relays (seed documents 001 and 002), self-hosted sites.

Two modes:

* **account** (``access_token`` + ``user_id``): ``GET {base}/api/status`` (public, once per base
  URL and run) gives the site's ``quota_per_unit`` and display currency; then
  ``GET {base}/api/user/self`` with the token and every fork's user-id header.
* **key** (``api_key``, an ``sk-`` key): ``GET {base}/api/usage/token/``; where the site lacks it,
  ``GET {base}/v1/dashboard/billing/subscription`` and ``.../usage``; where those are absent too,
  ``GET {base}/v1/credits`` (``data.total_usage`` is what REMAINS). Billing first: it exists on
  every fork and gives the limit and the usage, ``/v1/credits`` only on some versions.

Units are converted in exactly one place, :class:`Units`: quota units → money, billing cents →
the display unit, and the display unit itself (``TOKENS`` sites answer billing and credits in
token counts, not money). Failures come in three shapes (HTTP 401 ``success:false``; HTTP 200
``success:false``; HTTP 401 with a ``code``) and are classified by :func:`classify_failure`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from topup.account import Account
from topup.errors import (
    AuthError,
    BadResponseError,
    CheckError,
    DisabledError,
    ExhaustedError,
)
from topup.model import Balance, Status, utcnow
from topup.platforms.base import (
    CACHE_EXTENSION,
    CheckFlow,
    CredentialField,
    Provider,
)
from topup.platforms.responses import (
    body_text,
    decimal_field,
    error_message,
    int_field,
    looks_like_html,
    parse_object,
    raise_for_transient,
    timestamp,
)

#: Every fork's user-id header; sending all of them with the same id is harmless.
USER_HEADERS = (
    "New-Api-User",
    "Veloera-User",
    "X-Api-User",
    "voapi-user",
    "User-id",
    "Rix-Api-User",
    "neo-api-user",
)
#: A user id as new-api parses it: an int64 in decimal.
USER_ID = r"-?[0-9]{1,18}"
DEFAULT_QUOTA_PER_UNIT = Decimal(500000)
DEFAULT_USD_RATE = Decimal("7.3")
UNLIMITED_HARD_LIMIT = Decimal(100000000)
USER_DISABLED = 2
RETIRED = "the site retired this endpoint (HTTP 410 Gone)"
TOKENS = "TOKENS"


@dataclass(frozen=True, slots=True)
class Units:
    """How a site's numbers become amounts. The only place this adapter converts units."""

    quota_per_unit: Decimal
    currency: str
    #: Multiplier from the site's USD basis to ``currency`` (1 unless the site displays CNY).
    rate: Decimal = Decimal(1)
    #: The site's ``quota_display_type``: the key endpoints that answer in the display unit
    #: (billing, ``/v1/credits``) give token counts, not money, on ``TOKENS`` sites.
    tokens: bool = False

    def quota(self, units: Decimal) -> Decimal:
        """Raw quota units → money in :attr:`currency`."""
        return units / self.quota_per_unit * self.rate

    @staticmethod
    def cents(cents: Decimal) -> Decimal:
        """Billing ``total_usage`` (hundredths of the display unit) → the display unit."""
        return cents / 100

    @property
    def display_currency(self) -> str:
        """What billing and ``/v1/credits`` amounts are in: ``TOKENS`` (token counts; the site
        divides only in currency mode) or the site's money."""
        return TOKENS if self.tokens else self.currency


def units_from_status(account: Account, response: httpx.Response | None) -> Units:
    """Read ``/api/status``; any failure there falls back to 500000 quota per USD."""
    data: dict[str, Any] = {}
    if response is not None and response.status_code == 200:
        try:
            body = parse_object(response)
        except CheckError:
            body = {}
        if body.get("success") is not False and isinstance(body.get("data"), dict):
            data = body["data"]
    try:
        site_qpu = decimal_field(data, "quota_per_unit", required=False)
    except CheckError:
        site_qpu = None
    qpu = account.quota_per_unit or (site_qpu if site_qpu and site_qpu > 0 else None)
    qpu = qpu or DEFAULT_QUOTA_PER_UNIT
    display = str(data.get("quota_display_type") or "USD").upper()
    tokens = display == TOKENS
    if account.currency:
        return Units(qpu, account.currency.upper(), tokens=tokens)
    if display == "CNY":
        try:
            rate = decimal_field(data, "usd_exchange_rate", required=False)
        except CheckError:
            rate = None
        return Units(qpu, "CNY", rate if rate and rate > 0 else DEFAULT_USD_RATE)
    return Units(qpu, "USD", tokens=tokens)


_DISABLED_WORDS = ("禁用", "封禁", "disabled", "banned", "AUTH_USER_DISABLED")
_EXHAUSTED_WORDS = ("额度已用尽", "额度不足", "quota exhausted", "insufficient", "用尽")
_EXPIRED_WORDS = ("已过期", "expired", "AUTH_TOKEN_EXPIRED")
_AUTH_WORDS = (
    "无效",
    "无权",
    "未提供",
    "未登录",
    "不匹配",
    "unauthorized",
    "not logged",
    "token",
    "AUTH_",
)


def classify_failure(
    message: str | None, code: str | None, http_status: int, *, key: bool
) -> CheckError:
    """Map a failure envelope to a typed error. Exhausted keys are ``exhausted``, not auth."""
    text = f"{code or ''} {message or ''}".strip()
    shown = message or code or f"HTTP {http_status}"
    lowered = text.lower()
    if any(w.lower() in lowered for w in _DISABLED_WORDS):
        return DisabledError(f"the platform disabled this {'key' if key else 'account'}: {shown}")
    if any(w.lower() in lowered for w in _EXHAUSTED_WORDS):
        return ExhaustedError(f"key quota used up: {shown}")
    if any(w.lower() in lowered for w in _EXPIRED_WORDS):
        if key:
            return ExhaustedError(f"key expired: {shown}")
        return AuthError(f"access token expired: {shown}")
    if http_status in (401, 403) or any(w.lower() in lowered for w in _AUTH_WORDS):
        what = "API key" if key else "access token or user id"
        return AuthError(f"{what} rejected: {shown}")
    return BadResponseError(f"platform reported failure: {shown}")


def failure_from(response: httpx.Response, *, key: bool) -> CheckError:
    if response.status_code in (404, 405):
        # new-api answers unknown paths with 404 "Invalid URL (GET ...)": a wrong base_url
        # (often the OpenAI-style one ending in /v1), not a rejected credential.
        return BadResponseError(
            f"endpoint not found (HTTP {response.status_code}: {body_text(response)}); "
            "base_url should be the site's root, e.g. https://relay.example.com, without /v1"
        )
    try:
        body = parse_object(response)
    except CheckError:
        return classify_failure(body_text(response), None, response.status_code, key=key)
    code = body.get("code")
    return classify_failure(
        error_message(body),
        code if isinstance(code, str) else None,
        response.status_code,
        key=key,
    )


def _bearer(token: str) -> str:
    return token if token.lower().startswith("bearer ") else f"Bearer {token}"


class NewAPI(Provider):
    name = "newapi"
    title = "new-api / one-api relay"
    default_base_url: ClassVar[str | None] = None
    fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("access_token", "system access token (account mode)"),
        CredentialField(
            "user_id", "numeric user id (account mode)", secret=False, pattern=USER_ID, example="42"
        ),
        CredentialField("api_key", "an sk- key of the relay (key mode)"),
    )
    modes: ClassVar[tuple[frozenset[str], ...]] = (
        frozenset({"access_token", "user_id"}),
        frozenset({"api_key"}),
    )
    currency_rule = (
        "USD (quota / quota_per_unit); CNY x usd_exchange_rate when /api/status says the site "
        "displays CNY; `currency` and `quota_per_unit` override"
    )

    def check(self, account: Account) -> CheckFlow:
        base = self.base_url(account)
        status_response: httpx.Response | None = None
        if not (account.quota_per_unit and account.currency):
            status_response = yield httpx.Request(
                "GET", f"{base}/api/status", extensions={CACHE_EXTENSION: True}
            )
        units = units_from_status(account, status_response)
        if account.secret("access_token"):
            return (yield from self._account(account, base, units))
        return (yield from self._key(account, base, units))

    # -- account mode -------------------------------------------------------------------
    def _account(self, account: Account, base: str, units: Units) -> CheckFlow:
        headers = {"Authorization": _bearer(account.secret("access_token") or "")}
        user_id = account.option("user_id")
        if user_id:
            headers.update(dict.fromkeys(USER_HEADERS, user_id))
        response = yield httpx.Request("GET", f"{base}/api/user/self", headers=headers)
        raise_for_transient(response, retired=RETIRED)
        if response.status_code != 200:
            raise failure_from(response, key=False)
        body = parse_object(response)
        if body.get("success") is not True:
            raise failure_from(response, key=False)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("answer has no data object")
        quota = decimal_field(data, "quota")
        assert quota is not None
        used = decimal_field(data, "used_quota", required=False)
        status, message = Status.OK, None
        if int_field(data, "status") == USER_DISABLED:
            status, message = Status.DISABLED, "the platform disabled this account"
        elif quota <= 0:
            status, message = Status.EXHAUSTED, "no quota left on this account"
        return Balance(
            currency=units.currency,
            balance=units.quota(quota),
            used=units.quota(used) if used is not None else None,
            request_count=int_field(data, "request_count"),
            status=status,
            message=message,
            scope="account",
        )

    # -- key mode -----------------------------------------------------------------------
    def _key(self, account: Account, base: str, units: Units) -> CheckFlow:
        auth = {"Authorization": f"Bearer {account.secret('api_key')}"}
        response = yield httpx.Request("GET", f"{base}/api/usage/token/", headers=auth)
        if _absent(response):
            return (yield from self._billing(base, auth, units))
        raise_for_transient(response, retired=RETIRED)
        if response.status_code != 200:
            raise failure_from(response, key=True)
        body = parse_object(response)
        if body.get("code") is False or body.get("success") is False:
            raise failure_from(response, key=True)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("answer has no data object")
        available = decimal_field(data, "total_available")
        assert available is not None
        granted = decimal_field(data, "total_granted", required=False)
        used = decimal_field(data, "total_used", required=False)
        return _key_balance(
            units.currency,
            unlimited=data.get("unlimited_quota") is True,
            balance=units.quota(available),
            granted=units.quota(granted) if granted is not None else None,
            used=units.quota(used) if used is not None else None,
            expires_at=timestamp(data.get("expires_at")),
        )

    def _billing(self, base: str, auth: dict[str, str], units: Units) -> CheckFlow:
        response = yield httpx.Request(
            "GET", f"{base}/v1/dashboard/billing/subscription", headers=auth
        )
        if _absent(response):
            return (yield from self._credits(base, auth, units))
        subscription = _billing_body(response)
        hard = decimal_field(subscription, "hard_limit_usd")
        assert hard is not None
        response = yield httpx.Request("GET", f"{base}/v1/dashboard/billing/usage", headers=auth)
        usage = _billing_body(response)
        cents = decimal_field(usage, "total_usage")
        assert cents is not None
        used = units.cents(cents)
        unlimited = hard >= UNLIMITED_HARD_LIMIT
        return _key_balance(
            units.display_currency,
            unlimited=unlimited,
            balance=None if unlimited else hard - used,
            granted=None if unlimited else hard,
            used=used,
            expires_at=timestamp(subscription.get("access_until")),
        )

    def _credits(self, base: str, auth: dict[str, str], units: Units) -> CheckFlow:
        """``GET /v1/credits`` (some new-api versions): ``data.total_usage`` is what REMAINS,
        in the display unit (the opposite of OpenRouter's field); 100000000 is unlimited."""
        response = yield httpx.Request("GET", f"{base}/v1/credits", headers=auth)
        body = _billing_body(response)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("/v1/credits answer has no data object")
        remaining = decimal_field(data, "total_usage")
        assert remaining is not None
        unlimited = remaining >= UNLIMITED_HARD_LIMIT
        return _key_balance(
            units.display_currency,
            unlimited=unlimited,
            balance=None if unlimited else remaining,
            granted=None,
            used=None,
            expires_at=None,
        )


def _absent(response: httpx.Response) -> bool:
    """The site lacks this endpoint: 404/405, or a web page (one-api's SPA) instead of JSON."""
    return response.status_code in (404, 405) or (
        response.status_code == 200 and looks_like_html(response)
    )


def _billing_body(response: httpx.Response) -> dict[str, Any]:
    raise_for_transient(response, retired=RETIRED)
    if _absent(response):
        raise BadResponseError(
            "the site has none of /api/usage/token/, the billing endpoints or /v1/credits "
            f"for keys (HTTP {response.status_code})"
        )
    if response.status_code != 200:
        raise failure_from(response, key=True)
    body = parse_object(response)
    if "error" in body or body.get("success") is False:
        raise failure_from(response, key=True)
    return body


def _key_balance(
    currency: str,
    *,
    unlimited: bool,
    balance: Decimal | None,
    granted: Decimal | None,
    used: Decimal | None,
    expires_at: datetime | None,
) -> Balance:
    status, message = Status.OK, None
    if expires_at is not None and expires_at <= utcnow():
        status, message = Status.EXHAUSTED, f"key expired on {expires_at:%Y-%m-%d %H:%M} UTC"
    elif not unlimited and balance is not None and balance <= 0:
        status, message = Status.EXHAUSTED, "key quota used up"
    return Balance(
        currency=currency,
        balance=None if unlimited else balance,
        granted=None if unlimited else granted,
        used=used,
        unlimited=unlimited,
        expires_at=expires_at,
        status=status,
        message=message,
        scope="key",
    )
