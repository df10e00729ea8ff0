"""new-api / one-api dialect over real HTTP: auth eras, the trap fields, keys, units."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import jsonschema
import pytest
from seedspecs import relay_schema

from topup.sandbox.state import SandboxState


def aihubmix_schema() -> dict[str, Any]:
    """The relay schema with ``access_token`` as AIHubMix documents it (a string)."""
    schema = copy.deepcopy(relay_schema())
    schema["properties"]["data"]["properties"]["access_token"] = {"type": "string"}
    return schema


def self_(client: httpx.Client, site: str, headers: dict[str, str]) -> httpx.Response:
    return client.get(f"/{site}/api/user/self", headers=headers)


# ----------------------------------------------------------------------------- status
@pytest.mark.parametrize("era", ["newapi", "newest", "header:X-Api-User"])
def test_status_new_api(client: httpx.Client, new_site: Callable[..., str], era: str) -> None:
    site = new_site(auth_era=era, quota_per_unit=1000000, display="CNY", usd_exchange_rate="7.2")
    r = client.get(f"/{site}/api/status")
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True and body["message"] == ""
    data = body["data"]
    assert data["quota_per_unit"] == 1000000
    assert data["quota_display_type"] == "CNY"
    assert data["display_in_currency"] is True
    assert '"usd_exchange_rate":7.2' in r.text  # an exact JSON number


def test_status_one_api_omits_new_api_keys(
    client: httpx.Client, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="oneapi")
    data = client.get(f"/{site}/api/status").json()["data"]
    assert data["quota_per_unit"] == 500000
    assert "quota_display_type" not in data and "usd_exchange_rate" not in data


# ----------------------------------------------------------------------------- user/self
def test_relay_user_self_matches_seed_schema(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="header:X-Api-User")
    acc = state.add_account(site, quota=1234567, used_quota=765433, request_count=41)
    r = self_(client, site, {"Authorization": f"Bearer {acc.token}", "X-Api-User": acc.id})
    assert r.status_code == 200
    body = r.json()
    jsonschema.validate(body, relay_schema())
    data = body["data"]
    assert data["quota"] == 1234567 and data["used_quota"] == 765433
    assert data["request_count"] == 41
    assert data["password"] == "" and data["verification_code"] == ""
    assert data["access_token"] is None
    assert data["status"] == 1 and data["id"] == int(acc.id)
    assert list(body) == ["data", "message", "success"]
    again = self_(client, site, {"Authorization": f"Bearer {acc.token}", "X-Api-User": acc.id})
    assert again.json()["data"]["request_count"] == 42  # each answered request counts


def test_aihubmix_echoes_the_access_token(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="newest", echo_access_token=True)
    acc = state.add_account(site, balance="12.5")
    r = self_(client, site, {"Authorization": f"Bearer {acc.token}"})
    body = r.json()
    jsonschema.validate(body, aihubmix_schema())
    assert body["data"]["access_token"] == acc.token  # the trap: a secret in the answer
    assert body["data"]["quota"] == 6_250_000


def test_token_without_bearer_is_accepted(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="oneapi")
    acc = state.add_account(site, quota=5)
    r = self_(client, site, {"Authorization": acc.token})
    assert r.status_code == 200 and r.json()["success"] is True


def test_oneapi_era(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="oneapi")
    acc = state.add_account(site, quota=5)
    ok = self_(client, site, {"Authorization": f"Bearer {acc.token}", "New-Api-User": "999"})
    assert ok.status_code == 200 and ok.json()["success"] is True  # no user header checks
    bad = self_(client, site, {"Authorization": "Bearer wrong"})
    assert bad.status_code == 200
    assert bad.json() == {"success": False, "message": "无权进行此操作,access token 无效"}
    missing = self_(client, site, {})
    assert missing.status_code == 401 and missing.json()["success"] is False


@pytest.mark.parametrize("header", ["New-Api-User", "X-Api-User", "Veloera-User"])
def test_user_header_eras(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str], header: str
) -> None:
    era = "newapi" if header == "New-Api-User" else f"header:{header}"
    site = new_site(auth_era=era)
    acc = state.add_account(site, quota=5)
    other = state.add_account(site, quota=5)
    auth = {"Authorization": f"Bearer {acc.token}"}
    r = self_(client, site, auth)
    assert r.status_code == 401
    assert r.json() == {"success": False, "message": f"无权进行此操作,未提供 {header}"}
    r = self_(client, site, {**auth, header: other.id})
    assert r.status_code == 401
    assert r.json() == {"success": False, "message": f"无权进行此操作,{header} 与登录用户不匹配"}
    r = self_(client, site, {"Authorization": "Bearer wrong", header: acc.id})
    assert r.status_code == 200 and r.json()["success"] is False
    assert "access token 无效" in r.json()["message"]
    r = self_(client, site, {**auth, header: acc.id})
    assert r.status_code == 200 and r.json()["success"] is True
    jsonschema.validate(r.json(), relay_schema())
    # sending every known header with the same id is harmless
    every = {h: acc.id for h in ("New-Api-User", "X-Api-User", "Veloera-User", "User-id")}
    assert self_(client, site, {**auth, **every}).json()["success"] is True


def test_newest_era(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="newest")
    acc = state.add_account(site, quota=5)
    r = self_(client, site, {"Authorization": f"Bearer {acc.token}", "New-Api-User": "12345"})
    assert r.status_code == 200 and r.json()["success"] is True  # user headers ignored
    r = self_(client, site, {"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert r.json()["success"] is False and r.json()["code"] == "AUTH_UNAUTHORIZED"
    expired = state.add_account(site, quota=5, token_expires_at=int(time.time()) - 10)
    r = self_(client, site, {"Authorization": f"Bearer {expired.token}"})
    assert r.status_code == 401 and r.json()["code"] == "AUTH_TOKEN_EXPIRED"
    state.set_account(site, acc.id, status=2)
    r = self_(client, site, {"Authorization": f"Bearer {acc.token}"})
    assert r.status_code == 401 and r.json()["code"] == "AUTH_USER_DISABLED"


@pytest.mark.parametrize("era", ["oneapi", "newapi"])
def test_disabled_user_older_eras(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str], era: str
) -> None:
    site = new_site(auth_era=era)
    acc = state.add_account(site, quota=5, status=2)
    r = self_(client, site, {"Authorization": f"Bearer {acc.token}", "New-Api-User": acc.id})
    assert r.status_code == 200
    assert r.json() == {"success": False, "message": "用户已被封禁"}


# ----------------------------------------------------------------------------- keys
def key_get(client: httpx.Client, site: str, path: str, key: str) -> httpx.Response:
    return client.get(f"/{site}{path}", headers={"Authorization": f"Bearer {key}"})


def test_token_usage(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="newapi")
    k = state.add_key(site, remain=2_000_000, used=500_000, expires_at=4102444800, name="main")
    r = key_get(client, site, "/api/usage/token/", k.key)
    assert r.status_code == 200
    assert r.json() == {
        "code": True,
        "message": "ok",
        "data": {
            "object": "token_usage", "name": "main", "total_granted": 2_500_000,
            "total_used": 500_000, "total_available": 2_000_000, "unlimited_quota": False,
            "model_limits": {}, "model_limits_enabled": False, "expires_at": 4102444800,
        },
    }  # fmt: skip


def test_token_usage_absent_on_one_api_is_the_web_page(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="oneapi")
    k = state.add_key(site, remain=10)
    r = key_get(client, site, "/api/usage/token/", k.key)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<div id="root">' in r.text
    # the billing fallback works there
    assert key_get(client, site, "/v1/dashboard/billing/subscription", k.key).status_code == 200


@pytest.mark.parametrize(
    ("display", "remain", "used", "hard", "usage"),
    [
        ("USD", 2_000_000, 500_000, "5", "100"),
        ("USD", 150_000, 0, "0.3", "0"),
        ("CNY", 2_000_000, 500_000, "36.5", "730"),
        ("USD", 1, 0, "0.000002", "0"),
    ],
)
def test_billing_fallback(
    client: httpx.Client,
    state: SandboxState,
    new_site: Callable[..., str],
    display: str,
    remain: int,
    used: int,
    hard: str,
    usage: str,
) -> None:
    site = new_site(auth_era="newapi", display=display)
    k = state.add_key(site, remain=remain, used=used)
    sub = key_get(client, site, "/v1/dashboard/billing/subscription", k.key)
    assert sub.status_code == 200
    body = sub.json()
    assert body["object"] == "billing_subscription" and body["access_until"] == 0
    assert f'"hard_limit_usd":{hard},' in sub.text  # exact decimal text, no float noise
    assert body["soft_limit_usd"] == body["hard_limit_usd"] == body["system_hard_limit_usd"]
    use = key_get(client, site, "/v1/dashboard/billing/usage", k.key)
    assert use.status_code == 200
    assert use.text == '{"object":"list","total_usage":' + usage + "}"
    balance = Decimal(hard) - Decimal(usage) / 100
    rate = Decimal("7.3") if display == "CNY" else Decimal(1)
    assert balance == Decimal(remain) / 500000 * rate


def test_unlimited_key(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="newapi")
    k = state.add_key(site, remain=0, used=12_345_000, unlimited=True, expires_at=4102444800)
    sub = key_get(client, site, "/v1/dashboard/billing/subscription", k.key)
    assert sub.status_code == 200
    assert '"hard_limit_usd":100000000,' in sub.text
    assert sub.json()["access_until"] == 4102444800
    usage = key_get(client, site, "/api/usage/token/", k.key).json()["data"]
    assert usage["unlimited_quota"] is True


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"remain": 0, "used": 10}, "该令牌额度已用尽"),
        ({"remain": -5}, "该令牌额度已用尽"),
        ({"remain": 100, "expires_at": 1_000_000}, "该令牌已过期"),
        (None, "无效的令牌"),
    ],
)
@pytest.mark.parametrize(
    "path",
    ["/api/usage/token/", "/v1/dashboard/billing/subscription", "/v1/dashboard/billing/usage"],
)
def test_key_failures(
    client: httpx.Client,
    state: SandboxState,
    new_site: Callable[..., str],
    setup: dict[str, int] | None,
    message: str,
    path: str,
) -> None:
    site = new_site(auth_era="newapi")
    key = state.add_key(site, **setup).key if setup is not None else "sk-unknown"
    r = key_get(client, site, path, key)
    assert r.status_code == 401
    assert r.json() == {"error": {"message": message, "type": "one_api_error"}}


def test_key_needs_exact_bearer(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="newapi")
    k = state.add_key(site, remain=10)
    r = client.get(f"/{site}/api/usage/token/", headers={"Authorization": k.key})
    assert r.status_code == 401


def test_quota_per_unit_and_spend(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="oneapi", quota_per_unit=1_000_000)
    acc = state.add_account(site, balance="3")
    assert acc.quota == 3_000_000
    state.spend(site, account=acc.id, amount="0.5")
    data = self_(client, site, {"Authorization": acc.token}).json()["data"]
    assert (data["quota"], data["used_quota"]) == (2_500_000, 500_000)
    k = state.add_key(site, balance="1")
    state.spend(site, key=k.key, quota=250_000)
    usage = key_get(client, site, "/v1/dashboard/billing/usage", k.key).json()
    assert usage["total_usage"] == 25
