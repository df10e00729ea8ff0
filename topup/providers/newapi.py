"""The new-api / one-api family: AIHubMix, relays (seed documents 001 and 002), self-hosted sites.

Two modes:

* **account** (``access_token`` + ``user_id``): ``GET {base}/api/status`` (public, once per base
  URL and run) gives the site's ``quota_per_unit`` and display currency; then
  ``GET {base}/api/user/self`` with the token and every fork's user-id header.
* **key** (``api_key``, an ``sk-`` key): ``GET {base}/api/usage/token/``; where the site lacks it,
  ``GET {base}/v1/dashboard/billing/subscription`` and ``.../usage``.

Units are converted in exactly one place, :class:`Units`: quota units → money, and billing cents
→ money. Failures come in three shapes (HTTP 401 ``success:false``; HTTP 200 ``success:false``;
HTTP 401 with a ``code``) and are classified by :func:`classify_failure`.
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
from topup.providers.base import (
    CACHE_EXTENSION,
    Case,
    CheckFlow,
    CredentialField,
    Exchange,
    Provider,
)
from topup.providers.responses import (
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
DEFAULT_QUOTA_PER_UNIT = Decimal(500000)
DEFAULT_USD_RATE = Decimal("7.3")
UNLIMITED_HARD_LIMIT = Decimal(100000000)
USER_DISABLED = 2
RETIRED = "the site retired this endpoint (HTTP 410 Gone)"


@dataclass(frozen=True, slots=True)
class Units:
    """How a site's numbers become money. The only place this adapter converts units."""

    quota_per_unit: Decimal
    currency: str
    #: Multiplier from the site's USD basis to ``currency`` (1 unless the site displays CNY).
    rate: Decimal = Decimal(1)

    def quota(self, units: Decimal) -> Decimal:
        """Raw quota units → money in :attr:`currency`."""
        return units / self.quota_per_unit * self.rate

    @staticmethod
    def cents(cents: Decimal) -> Decimal:
        """Billing ``total_usage`` (hundredths, already in the display currency) → money."""
        return cents / 100


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
    if account.currency:
        return Units(qpu, account.currency.upper())
    display = str(data.get("quota_display_type") or "USD").upper()
    if display == "CNY":
        try:
            rate = decimal_field(data, "usd_exchange_rate", required=False)
        except CheckError:
            rate = None
        return Units(qpu, "CNY", rate if rate and rate > 0 else DEFAULT_USD_RATE)
    return Units(qpu, "USD")


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


def _failure_from(response: httpx.Response, *, key: bool) -> CheckError:
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
        CredentialField("user_id", "numeric user id (account mode)", secret=False),
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
        if account.user_id:
            headers.update(dict.fromkeys(USER_HEADERS, account.user_id))
        response = yield httpx.Request("GET", f"{base}/api/user/self", headers=headers)
        raise_for_transient(response, retired=RETIRED)
        if response.status_code != 200:
            raise _failure_from(response, key=False)
        body = parse_object(response)
        if body.get("success") is not True:
            raise _failure_from(response, key=False)
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
        )

    # -- key mode -----------------------------------------------------------------------
    def _key(self, account: Account, base: str, units: Units) -> CheckFlow:
        auth = {"Authorization": f"Bearer {account.secret('api_key')}"}
        response = yield httpx.Request("GET", f"{base}/api/usage/token/", headers=auth)
        if response.status_code in (404, 405) or (
            response.status_code == 200 and looks_like_html(response)
        ):
            return (yield from self._billing(base, auth, units))
        raise_for_transient(response, retired=RETIRED)
        if response.status_code != 200:
            raise _failure_from(response, key=True)
        body = parse_object(response)
        if body.get("code") is False or body.get("success") is False:
            raise _failure_from(response, key=True)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("answer has no data object")
        available = decimal_field(data, "total_available")
        assert available is not None
        granted = decimal_field(data, "total_granted", required=False)
        used = decimal_field(data, "total_used", required=False)
        return _key_balance(
            units,
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
            units,
            unlimited=unlimited,
            balance=None if unlimited else hard - used,
            granted=None if unlimited else hard,
            used=used,
            expires_at=timestamp(subscription.get("access_until")),
        )

    cases: ClassVar[tuple[Case, ...]] = ()  # filled below, after the helpers they use


def _billing_body(response: httpx.Response) -> dict[str, Any]:
    raise_for_transient(response, retired=RETIRED)
    if response.status_code == 404 or looks_like_html(response):
        raise BadResponseError(
            "the site has neither /api/usage/token/ nor the billing endpoints for keys "
            f"(HTTP {response.status_code})"
        )
    if response.status_code != 200:
        raise _failure_from(response, key=True)
    body = parse_object(response)
    if "error" in body or body.get("success") is False:
        raise _failure_from(response, key=True)
    return body


def _key_balance(
    units: Units,
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
        currency=units.currency,
        balance=None if unlimited else balance,
        granted=None if unlimited else granted,
        used=used,
        unlimited=unlimited,
        expires_at=expires_at,
        status=status,
        message=message,
    )


# -- this platform's test cases (answer -> expected result), run by tests/test_provider_cases.py
def _status(**data: Any) -> Exchange:
    return Exchange("/api/status", json={"success": True, "message": "", "data": data})


def _self(quota: int, used: int = 0, **extra: Any) -> Exchange:
    data = {
        "id": 42,
        "username": "alice",
        "password": "",
        "access_token": "tok-echoed-back-by-the-site",
        "verification_code": "",
        "quota": quota,
        "used_quota": used,
        "request_count": 17,
        "status": 1,
        **extra,
    }
    return Exchange("/api/user/self", json={"data": data, "message": "", "success": True})


def _fail(path: str, status: int, **body: Any) -> Exchange:
    return Exchange(path, status=status, json=body)


_ACCOUNT = {
    "base_url": "https://relay.example.com",
    "access_token": "tok-1234567890",
    "user_id": 42,
}
_KEY = {"base_url": "https://relay.example.com", "api_key": "sk-relaykey1234567890"}
_USD = _status(quota_per_unit=500000, quota_display_type="USD", usd_exchange_rate=Decimal("7.3"))
_CNY = _status(quota_per_unit=500000, quota_display_type="CNY", usd_exchange_rate=Decimal("7.2"))
_TOKEN = "/api/usage/token/"  # noqa: S105 - a path, not a password
_SUB = "/v1/dashboard/billing/subscription"
_USAGE = "/v1/dashboard/billing/usage"
_HTML_SPA = Exchange(
    _TOKEN,
    text="<!doctype html><html><head><title>One API</title></head><body></body></html>",
    headers={"content-type": "text/html; charset=utf-8"},
)


def _token(
    available: int, used: int = 0, *, unlimited: bool = False, expires: int = -1
) -> Exchange:
    data = {
        "object": "token_usage",
        "name": "k",
        "total_granted": available + used,
        "total_used": used,
        "total_available": available,
        "unlimited_quota": unlimited,
        "expires_at": expires,
    }
    return Exchange(_TOKEN, json={"code": True, "message": "ok", "data": data})


def _sub(hard: Any, until: int = 0) -> Exchange:
    return Exchange(
        _SUB, json={"object": "billing_subscription", "hard_limit_usd": hard, "access_until": until}
    )


NewAPI.cases = (
    Case(
        "account mode: quota / 500000 in USD, every user-id header sent",
        _ACCOUNT,
        (
            _USD,
            Exchange(
                _self(2500000, 500000).path,
                json=_self(2500000, 500000).json,
                expect_headers={
                    "authorization": "Bearer tok-1234567890",
                    "new-api-user": "42",
                    "x-api-user": "42",
                    "veloera-user": "42",
                    "voapi-user": "42",
                    "user-id": "42",
                    "rix-api-user": "42",
                    "neo-api-user": "42",
                },
            ),
        ),
        {"status": "ok", "currency": "USD", "balance": "5", "used": "1", "request_count": 17},
    ),
    Case(
        "account mode: site displays CNY, multiply by usd_exchange_rate",
        _ACCOUNT,
        (_CNY, _self(500000, 250000)),
        {"status": "ok", "currency": "CNY", "balance": "7.2", "used": "3.6"},
    ),
    Case(
        "account mode: CNY display without a rate uses 7.3",
        _ACCOUNT,
        (_status(quota_per_unit=500000, quota_display_type="CNY"), _self(1000000)),
        {"currency": "CNY", "balance": "14.6"},
    ),
    Case(
        "account mode: the site's own quota_per_unit",
        _ACCOUNT,
        (_status(quota_per_unit=1000000), _self(2500000)),
        {"status": "ok", "currency": "USD", "balance": "2.5"},
    ),
    Case(
        "account mode: /api/status failing falls back to 500000 USD",
        _ACCOUNT,
        (
            Exchange("/api/status", status=500, text="<html><title>502 Bad Gateway</title></html>"),
            _self(1000000),
        ),
        {"status": "ok", "currency": "USD", "balance": "2"},
    ),
    Case(
        "account mode: account overrides unit and currency (500000 quota = 1 CNY), no /api/status",
        {**_ACCOUNT, "quota_per_unit": "500000", "currency": "CNY"},
        (_self(1000000),),
        {"status": "ok", "currency": "CNY", "balance": "2"},
    ),
    Case(
        "account mode: token given with its Bearer prefix is not doubled",
        {**_ACCOUNT, "access_token": "Bearer tok-1234567890"},
        (
            _USD,
            Exchange(
                "/api/user/self",
                json=_self(500000).json,
                expect_headers={"authorization": "Bearer tok-1234567890"},
            ),
        ),
        {"status": "ok", "balance": "1"},
    ),
    Case(
        "account mode: HTTP 200 success:false with an invalid token (one-api)",
        _ACCOUNT,
        (
            _USD,
            _fail("/api/user/self", 200, success=False, message="无权进行此操作,access token 无效"),
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "account mode: HTTP 401 when the user header is missing (new-api)",
        _ACCOUNT,
        (
            _USD,
            _fail(
                "/api/user/self", 401, success=False, message="无权进行此操作,未提供 New-Api-User"
            ),
        ),
        {"status": "auth_error"},
    ),
    Case(
        "account mode: newest new-api 401 with a code",
        _ACCOUNT,
        (
            _USD,
            _fail(
                "/api/user/self", 401, success=False, code="AUTH_TOKEN_EXPIRED", message="expired"
            ),
        ),
        {"status": "auth_error"},
    ),
    Case(
        "account mode: newest new-api disabled user",
        _ACCOUNT,
        (_USD, _fail("/api/user/self", 401, success=False, code="AUTH_USER_DISABLED", message="")),
        {"status": "disabled"},
    ),
    Case(
        "account mode: banned user under HTTP 200",
        _ACCOUNT,
        (_USD, _fail("/api/user/self", 200, success=False, message="用户已被封禁")),
        {"status": "disabled"},
    ),
    Case(
        "account mode: an unclassified success:false is a bad response",
        _ACCOUNT,
        (_USD, _fail("/api/user/self", 200, success=False, message="数据库错误")),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "account mode: disabled user status keeps the amounts",
        _ACCOUNT,
        (_USD, _self(1000000, status=2)),
        {"status": "disabled", "balance": "2"},
    ),
    Case(
        "account mode: no quota left is exhausted",
        _ACCOUNT,
        (_USD, _self(0, 9000000)),
        {"status": "exhausted", "balance": "0", "used": "18"},
    ),
    Case(
        "account mode: truncated JSON",
        _ACCOUNT,
        (_USD, Exchange("/api/user/self", text='{"data":{"quota":12')),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "account mode: HTML page under HTTP 200",
        _ACCOUNT,
        (
            _USD,
            Exchange(
                "/api/user/self",
                text="<!DOCTYPE html><html><title>Just a moment...</title></html>",
                headers={"content-type": "text/html"},
            ),
        ),
        {"status": "bad_response"},
    ),
    Case(
        "account mode: 429 with Retry-After",
        _ACCOUNT,
        (
            _USD,
            Exchange("/api/user/self", status=429, text="slow down", headers={"retry-after": "1"}),
        ),
        {"status": "rate_limited"},
    ),
    Case(
        "account mode: 503 HTML page",
        _ACCOUNT,
        (_USD, Exchange("/api/user/self", status=503, text="<html><title>503</title></html>")),
        {"status": "unavailable"},
    ),
    Case(
        "account mode: 404 from a base_url ending in /v1 is not an auth error",
        {**_ACCOUNT, "base_url": "https://relay.example.com/v1"},
        (
            Exchange("/v1/api/status", status=404, json={"error": {"message": "Invalid URL"}}),
            Exchange(
                "/v1/api/user/self",
                status=404,
                json={"error": {"message": "Invalid URL (GET /v1/api/user/self)"}},
            ),
        ),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "account mode: 410 Gone",
        _ACCOUNT,
        (_USD, Exchange("/api/user/self", status=410, text="Gone")),
        {"status": "endpoint_retired"},
    ),
    Case(
        "key mode: /api/usage/token/ in quota units",
        _KEY,
        (
            _USD,
            Exchange(
                _TOKEN,
                json=_token(1000000, 500000).json,
                expect_headers={"authorization": "Bearer sk-relaykey1234567890"},
            ),
        ),
        {"status": "ok", "currency": "USD", "balance": "2", "granted": "3", "used": "1"},
    ),
    Case(
        "key mode: unlimited key has no balance",
        _KEY,
        (_USD, _token(0, 500000, unlimited=True)),
        {"status": "ok", "unlimited": True, "balance": None, "used": "1"},
    ),
    Case(
        "key mode: expired key is exhausted",
        _KEY,
        (_USD, _token(1000000, expires=1600000000)),
        {"status": "exhausted", "balance": "2"},
    ),
    Case(
        "key mode: nothing available is exhausted",
        _KEY,
        (_USD, _token(0, 1000000)),
        {"status": "exhausted", "balance": "0"},
    ),
    Case(
        "key mode: 401 quota used up is exhausted, not auth",
        _KEY,
        (_USD, _fail(_TOKEN, 401, error={"message": "该令牌额度已用尽", "type": "one_api_error"})),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "key mode: 401 expired key is exhausted",
        _KEY,
        (_USD, _fail(_TOKEN, 401, error={"message": "该令牌已过期", "type": "one_api_error"})),
        {"status": "exhausted"},
    ),
    Case(
        "key mode: 401 invalid key is an auth error",
        _KEY,
        (_USD, _fail(_TOKEN, 401, error={"message": "无效的令牌", "type": "one_api_error"})),
        {"status": "auth_error"},
    ),
    Case(
        "key mode: success:false under HTTP 200",
        _KEY,
        (_USD, _fail(_TOKEN, 200, code=False, message="无效的令牌")),
        {"status": "auth_error"},
    ),
    Case(
        "key mode: SPA page instead of /api/usage/token/ falls back to billing (cents)",
        _KEY,
        (_USD, _HTML_SPA, _sub(10), Exchange(_USAGE, json={"object": "list", "total_usage": 250})),
        {"status": "ok", "currency": "USD", "balance": "7.5", "used": "2.5", "granted": "10"},
    ),
    Case(
        "key mode: 404 falls back; hard limit 100000000 means unlimited",
        _KEY,
        (
            _USD,
            Exchange(_TOKEN, status=404, json={"message": "Not Found"}),
            _sub(100000000),
            Exchange(_USAGE, json={"total_usage": 12345}),
        ),
        {"status": "ok", "unlimited": True, "balance": None, "used": "123.45"},
    ),
    Case(
        "key mode: billing under CNY display is already CNY",
        _KEY,
        (
            _CNY,
            _HTML_SPA,
            _sub(Decimal("72")),
            Exchange(_USAGE, json={"total_usage": Decimal("720")}),
        ),
        {"status": "ok", "currency": "CNY", "balance": "64.8"},
    ),
    Case(
        "key mode: billing 401 quota used up",
        _KEY,
        (
            _USD,
            _HTML_SPA,
            _fail(_SUB, 401, error={"message": "该令牌额度已用尽", "type": "one_api_error"}),
        ),
        {"status": "exhausted"},
    ),
    Case(
        "key mode: no key endpoint at all is a bad response",
        _KEY,
        (_USD, _HTML_SPA, Exchange(_SUB, status=404, text="404 page not found")),
        {"status": "bad_response"},
    ),
)
