"""new-api / one-api's recorded answers with their expected results (run by the generic tests):
account mode here, key mode in :mod:`.key_cases`."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.newapi.key_cases import KEY_CASES, KEY_STAGED
from topup.platforms.newapi.recorded import (
    _ACCOUNT,
    _CNY,
    _USD,
    _fail,
    _self,
    _status,
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
        {
            "status": "ok",
            "currency": "USD",
            "balance": "5",
            "used": "1",
            "request_count": 17,
            "scope": "account",
        },
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
    *KEY_CASES,
)

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
    **KEY_STAGED,
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)
