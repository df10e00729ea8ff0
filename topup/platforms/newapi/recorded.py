"""Recorded new-api answers shared by the account-mode and key-mode cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from topup.platforms.base import Exchange


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
_CREDITS = "/v1/credits"
_TOKENS = _status(quota_per_unit=500000, quota_display_type="TOKENS")
_NO_ROUTE = {"error": {"message": "Invalid URL", "type": "invalid_request_error"}}
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
