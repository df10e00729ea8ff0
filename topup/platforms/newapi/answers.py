"""new-api / one-api answers in the sandbox: ``/api/status``, ``/api/user/self``, key endpoints.

Auth eras (``auth_era`` of a site's settings):

* ``oneapi``: token only; a bad token is HTTP 200 ``success:false``.
* ``newapi``: like one-api, plus the ``New-Api-User`` header (missing/mismatched: HTTP 401).
* ``header:<Name>``: like ``newapi`` with another header name (``X-Api-User``, ``Veloera-User``...).
* ``newest``: user headers ignored; every failure is HTTP 401 with a ``code``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from topup.sandbox.records import DISABLED, Site, Stored
from topup.sandbox.replies import Reply, html_reply, json_reply

if TYPE_CHECKING:
    from topup.platforms.newapi.imitation import RelayKey, RelayUser
    from topup.sandbox.state import SandboxState

BAD_TOKEN = "无权进行此操作,access token 无效"  # noqa: S105 - a message
NO_TOKEN = "无权进行此操作,未登录且未提供 access token"  # noqa: S105
BANNED = "用户已被封禁"
UNLIMITED_USD = 100000000
# A user-id header new-api can parse: optional minus, 1-18 ASCII digits (fits an int64).
USER_ID = re.compile(r"-?[0-9]{1,18}")


@dataclass(slots=True)
class Settings(Stored):
    """A new-api site's settings."""

    quota_per_unit: int = 500000
    display: str = "USD"
    usd_exchange_rate: Decimal = Decimal("7.3")
    auth_era: str = "newapi"
    token_usage: bool | None = None  # None: off for the oneapi era, on otherwise
    echo_access_token: bool = False  # AIHubMix-style: user/self echoes the access token
    billing: bool = True  # the OpenAI-style /v1/dashboard/billing/* endpoints exist
    credits: bool = False  # GET /v1/credits exists (some new-api versions)

    @property
    def has_token_usage(self) -> bool:
        if self.token_usage is None:
            return self.auth_era != "oneapi"
        return self.token_usage

    @property
    def user_header(self) -> str | None:
        if self.auth_era == "newapi":
            return "New-Api-User"
        if self.auth_era.startswith("header:"):
            return self.auth_era.split(":", 1)[1]
        return None

    @property
    def money_rate(self) -> Decimal:
        """Multiplier from USD to the site's displayed money (CNY display uses the rate)."""
        return self.usd_exchange_rate if self.display == "CNY" else Decimal(1)


SPA_INDEX = (
    '<!doctype html><html lang="zh"><head><meta charset="utf-8"/>'
    '<meta name="viewport" content="width=device-width,initial-scale=1"/>'
    "<title>One API</title>"
    '<script defer="defer" src="/static/js/main.4f7c1e2a.js"></script>'
    '<link href="/static/css/main.8a3b2c1d.css" rel="stylesheet"></head>'
    "<body><noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div></body></html>'
)


def spa_index() -> Reply:
    """What one-api answers for a route it does not have: its web app's index page."""
    return html_reply(200, SPA_INDEX)


def _fail(status: int, message: str, code: str | None = None) -> Reply:
    body: dict[str, Any] = {"success": False}
    if code is not None:
        body["code"] = code
    body["message"] = message
    return json_reply(status, body)


def access_token(header: str | None) -> str | None:
    """The access token from ``Authorization``, with or without ``Bearer``."""
    if not header:
        return None
    token = header.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    return token or None


def status_body(site: Site) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "v0.6.10" if site.auth_era == "oneapi" else "v0.9.0",
        "system_name": "One API" if site.auth_era == "oneapi" else "New API",
        "start_time": 1735689600,
        "quota_per_unit": site.quota_per_unit,
        "display_in_currency": site.display != "TOKENS",
    }
    if site.auth_era != "oneapi":
        data["quota_display_type"] = site.display
        data["usd_exchange_rate"] = site.usd_exchange_rate
        data["custom_currency_symbol"] = "¤"
        data["custom_currency_exchange_rate"] = 1
    return {"success": True, "message": "", "data": data}


def user_data(state: SandboxState, site: Site, acc: RelayUser) -> dict[str, Any]:
    view = state.current(acc)
    data: dict[str, Any] = {
        "id": int(acc.id),
        "username": acc.username,
        "password": "",
        "display_name": acc.username,
        "role": 1,
        "status": acc.status,
        "email": "",
        "github_id": "",
        "wechat_id": "",
        "oidc_id": "",
        "google_id": "",
        "verification_code": "",
        "access_token": acc.token if site.echo_access_token else None,
        "quota": view.remain,
        "used_quota": view.used,
        "request_count": acc.request_count,
        "group": acc.group,
        "can_use_self_group": False,
        "aff_code": f"A{int(acc.id):05d}",
        "inviter_id": 0,
        "aff_count": 0,
        "aff_quota": 0,
        "aff_history_quota": 0,
        "created_at": acc.created_at,
        "last_login_at": acc.created_at,
        "last_login_ip": "",
        "deleted_at": None,
        "group_ratio": 1,
        "topup_ratio": 1,
    }
    if site.echo_access_token:  # the AIHubMix field list
        data.update(
            {
                "lark_id": "",
                "clerk_id": "",
                "migrated_at": "",
                "notify": False,
                "quota_remind_threshold": 0,
                "notify_email": False,
            }
        )
    return data


def user_self(
    state: SandboxState, site: Site, headers: Mapping[str, str]
) -> tuple[Reply, RelayUser | None]:
    """``GET /api/user/self``; returns the answer and the account it was for (if any)."""
    token = access_token(headers.get("authorization"))
    acc = state.account_by_token(site.name, token) if token else None
    now = state.now_ts()
    expired = acc is not None and acc.token_expires_at is not None and acc.token_expires_at <= now
    if site.auth_era == "newest":
        if token is None:
            return _fail(401, NO_TOKEN, "AUTH_UNAUTHORIZED"), None
        if acc is None:
            return _fail(401, BAD_TOKEN, "AUTH_UNAUTHORIZED"), None
        if expired:
            return _fail(401, "access token 已过期", "AUTH_TOKEN_EXPIRED"), acc
        if acc.status == DISABLED:
            return _fail(401, BANNED, "AUTH_USER_DISABLED"), acc
    else:
        if token is None:
            return _fail(401, NO_TOKEN), None
        if acc is None or expired:
            return _fail(200, BAD_TOKEN), None
        if acc.status == DISABLED:
            return _fail(200, BANNED), acc
        name = site.user_header
        if name is not None:
            raw = headers.get(name.lower())
            if raw is None or raw.strip() == "":
                return _fail(401, f"无权进行此操作,未提供 {name}"), acc
            if not USER_ID.fullmatch(raw.strip()):
                return _fail(401, f"无权进行此操作,{name} 格式错误"), acc
            if int(raw.strip()) != int(acc.id):
                return _fail(401, f"无权进行此操作,{name} 与登录用户不匹配"), acc
    body = {"data": user_data(state, site, acc), "message": "", "success": True}
    return json_reply(200, body), acc


# ------------------------------------------------------------------------ keys
def _key_error(message: str) -> Reply:
    return json_reply(401, {"error": {"message": message, "type": "one_api_error"}})


def find_key(
    state: SandboxState, site: Site, header: str | None
) -> tuple[RelayKey | None, Reply | None]:
    """Validate ``Authorization: Bearer sk-...`` for the key endpoints."""
    if not header or not header.startswith("Bearer "):
        return None, _key_error("无效的令牌")
    raw = header[len("Bearer ") :].strip()
    key = state.find_key(site.name, raw)
    if key is None and not raw.startswith("sk-"):
        key = state.find_key(site.name, "sk-" + raw)
    if key is None:
        return None, _key_error("无效的令牌")
    if key.status == DISABLED:
        return key, _key_error("该令牌状态不可用")
    if key.expires_at != -1 and key.expires_at < state.now_ts():
        return key, _key_error("该令牌已过期")
    if not key.unlimited and state.current(key).remain <= 0:
        return key, _key_error("该令牌额度已用尽")
    return key, None


def token_usage(state: SandboxState, key: RelayKey) -> Reply:
    view = state.current(key)
    return json_reply(
        200,
        {
            "code": True,
            "message": "ok",
            "data": {
                "object": "token_usage",
                "name": key.name,
                "total_granted": view.remain + view.used,
                "total_used": view.used,
                "total_available": view.remain,
                "unlimited_quota": key.unlimited,
                "model_limits": {},
                "model_limits_enabled": False,
                "expires_at": key.expires_at,
            },
        },
    )


def display_amount(site: Site, quota: int) -> Decimal | int:
    """Raw quota as the billing endpoints show it: money when the site displays currency,
    the raw number itself with ``TOKENS`` (one-api/new-api divide only in currency mode)."""
    settings: Settings = site.settings
    if settings.display == "TOKENS":
        return quota
    return Decimal(quota) / settings.quota_per_unit * settings.money_rate


def subscription(state: SandboxState, site: Site, key: RelayKey) -> Reply:
    view = state.current(key)
    amount: Decimal | int
    amount = UNLIMITED_USD if key.unlimited else display_amount(site, view.remain + view.used)
    return json_reply(
        200,
        {
            "object": "billing_subscription",
            "has_payment_method": True,
            "soft_limit_usd": amount,
            "hard_limit_usd": amount,
            "system_hard_limit_usd": amount,
            "access_until": key.expires_at if key.expires_at != -1 else 0,
        },
    )


def invalid_url(path: str) -> Reply:
    """new-api's answer for a /v1 route it does not have."""
    error = {"message": f"Invalid URL (GET {path})", "type": "invalid_request_error"}
    return json_reply(404, {"error": error})


def credits(state: SandboxState, site: Site, key: RelayKey) -> Reply:
    """``/v1/credits``: what REMAINS in the display unit; 100000000 for unlimited keys."""
    view = state.current(key)
    remaining = UNLIMITED_USD if key.unlimited else display_amount(site, view.remain)
    return json_reply(200, {"data": {"total_usage": remaining}})


def usage(state: SandboxState, site: Site, key: RelayKey) -> Reply:
    view = state.current(key)
    cents = display_amount(site, view.used) * 100
    return json_reply(200, {"object": "list", "total_usage": cents})
