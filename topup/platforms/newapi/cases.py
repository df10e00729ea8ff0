"""new-api / one-api's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from topup.platforms.base import Case, Exchange, Staged


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


CASES: tuple[Case, ...] = (
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

_NO_TOKEN_USAGE = {"token_usage": False}
#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "account mode: quota / 500000 in USD, every user-id header sent": Staged(
        account={"quota": 2500000, "used_quota": 500000, "request_count": 17}
    ),
    "account mode: site displays CNY, multiply by usd_exchange_rate": Staged(
        account={"quota": 500000, "used_quota": 250000},
        site={"display": "CNY", "usd_exchange_rate": "7.2"},
    ),
    "account mode: CNY display without a rate uses 7.3": Staged(
        account={"quota": 1000000}, site={"display": "CNY"}
    ),
    "account mode: the site's own quota_per_unit": Staged(
        account={"quota": 2500000}, site={"quota_per_unit": 1000000}
    ),
    "account mode: account overrides unit and currency (500000 quota = 1 CNY), no /api/status": (
        Staged(account={"quota": 1000000}, config={"quota_per_unit": "500000", "currency": "CNY"})
    ),
    "account mode: HTTP 200 success:false with an invalid token (one-api)": Staged(
        account={"quota": 1}, site={"auth_era": "oneapi"}, config={"access_token": "tok-unknown"}
    ),
    "account mode: newest new-api 401 with a code": Staged(
        account={"quota": 1}, site={"auth_era": "newest"}, config={"access_token": "tok-unknown"}
    ),
    "account mode: newest new-api disabled user": Staged(
        account={"quota": 1, "status": 2}, site={"auth_era": "newest"}
    ),
    "account mode: banned user under HTTP 200": Staged(account={"quota": 1, "status": 2}),
    "account mode: no quota left is exhausted": Staged(account={"quota": 0, "used_quota": 9000000}),
    "account mode: truncated JSON": Staged(account={"quota": 1}, fault={"kind": "truncated_json"}),
    "account mode: 429 with Retry-After": Staged(
        account={"quota": 1}, fault={"kind": "rate_limit", "retry_after": 0}
    ),
    "account mode: 503 HTML page": Staged(account={"quota": 1}, fault={"kind": "html_503"}),
    "account mode: 410 Gone": Staged(account={"quota": 1}, fault={"kind": "gone"}),
    "key mode: /api/usage/token/ in quota units": Staged(key={"remain": 1000000, "used": 500000}),
    "key mode: unlimited key has no balance": Staged(key={"unlimited": True, "used": 500000}),
    "key mode: 401 quota used up is exhausted, not auth": Staged(key={"remain": 0}),
    "key mode: 401 expired key is exhausted": Staged(key={"remain": 5, "expires_at": 1000000000}),
    "key mode: 401 invalid key is an auth error": Staged(
        key={"remain": 5}, config={"api_key": "sk-not-a-key-of-this-site"}
    ),
    "key mode: SPA page instead of /api/usage/token/ falls back to billing (cents)": Staged(
        key={"remain": 3750000, "used": 1250000}, site=_NO_TOKEN_USAGE
    ),
    "key mode: 404 falls back; hard limit 100000000 means unlimited": Staged(
        key={"unlimited": True, "used": 61725000}, site=_NO_TOKEN_USAGE
    ),
    "key mode: billing under CNY display is already CNY": Staged(
        key={"remain": 4500000, "used": 500000},
        site={**_NO_TOKEN_USAGE, "display": "CNY", "usd_exchange_rate": "7.2"},
    ),
    "key mode: billing 401 quota used up": Staged(key={"remain": 0}, site=_NO_TOKEN_USAGE),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)
