"""Zhipu BigModel GLM Coding Plan: ``GET {base}/api/monitor/usage/quota/limit`` with the raw key
in ``Authorization`` (no ``Bearer``, as Zhipu's own usage plugin sends it; Bearer works too).

``data.limits[]``: ``type`` (``TOKENS_LIMIT``, renamed ``CREDIT_LIMIT`` in 2026; ``TIME_LIMIT`` is
the monthly MCP-tools quota), ``unit`` + ``number`` (unit 3 = hours, 6 = weeks, 5 = months),
``percentage`` = the **used** part (0-100), ``nextResetTime`` in epoch milliseconds, and on newer
plans ``usage`` (the window's total, despite its name), ``currentValue`` (used) and
``remaining``. Failures come under HTTP 200 as ``{"success": false, "code": ..., "msg": ...}``:
401/1000/1001 refuse the key, "当前用户不存在coding plan" means the key has no plan.
Base URL ``https://api.z.ai`` serves the international Z.ai plan the same way.
"""

from __future__ import annotations

from typing import Any

import httpx

from topup.account import Account
from topup.errors import AuthError, BadResponseError, CheckError
from topup.model import Balance, QuotaWindow
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.responses import int_field, snippet
from topup.platforms.windows import DAY, HOUR, count, epoch_ms, no_plan, plan_answer, window_name

PATH = "/api/monitor/usage/quota/limit"
RETIRED = "Zhipu retired its quota endpoint (HTTP 410 Gone from /api/monitor/usage/quota/limit)"
OK_CODE = 200
#: ``unit`` code → seconds: the one unit conversion of this adapter (4 = days is unconfirmed).
UNITS = {3: HOUR, 4: DAY, 5: 30 * DAY, 6: 7 * DAY}
#: ``code`` values that refuse the key (``令牌已过期或验证不正确``, ``身份验证失败``, no header).
AUTH_CODES = frozenset({401, 1000, 1001, 1002})
_NO_PLAN = ("coding plan", "套餐")


def limit_window(limit: dict[str, Any]) -> QuotaWindow:
    kind = str(limit.get("type") or "")
    unit, number = int_field(limit, "unit"), int_field(limit, "number")
    if unit in UNITS and number is not None and number > 0:
        name = window_name(UNITS[unit] * number)
    elif kind == "TIME_LIMIT":
        name = "monthly"  # older answers give the MCP quota no unit
    else:
        raise BadResponseError(f"a {snippet(kind, 40) or 'limit'} has no known window unit")
    if kind == "TIME_LIMIT":
        name = f"mcp-{name}"
    used_percent = count(limit, "percentage")
    total, used = count(limit, "usage"), count(limit, "currentValue")
    remaining = count(limit, "remaining")
    if used_percent is None and total is None and used is None and remaining is None:
        raise BadResponseError(f"the {name} window has neither a percentage nor counts")
    return QuotaWindow(
        name=name,
        limit=total,
        used=used,
        remaining=remaining,
        used_percent=used_percent,
        resets_at=epoch_ms(limit.get("nextResetTime")),
    )


def envelope_failure(body: dict[str, Any]) -> CheckError:
    code = int_field(body, "code")
    msg = body.get("msg") if isinstance(body.get("msg"), str) else body.get("message")
    shown = snippet(str(msg or f"code {code}"), 160)
    if any(word in shown.lower() for word in _NO_PLAN):
        return no_plan("Zhipu", shown)
    if code in AUTH_CODES or "authorization" in shown.lower() or "令牌" in shown:
        return AuthError(f"Zhipu refused the key (code {code}): {shown}")
    return BadResponseError(f"Zhipu reported a failure (code {code}): {shown}")


class Zhipu(Provider):
    name = "zhipu"
    title = "Zhipu BigModel GLM Coding Plan"
    default_base_url = "https://open.bigmodel.cn"
    fields = (CredentialField("api_key", "BigModel API key of the coding-plan account"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "no money: the plan's windows, percentage used (5h, weekly, MCP monthly)"

    def check(self, account: Account) -> CheckFlow:
        response = yield httpx.Request(
            "GET",
            self.url(account, PATH),
            headers={
                "Authorization": account.secret("api_key") or "",
                "Accept": "application/json",
            },
        )
        body = plan_answer(response, retired=RETIRED, what="Zhipu key")
        if body.get("success") is False or body.get("code", OK_CODE) != OK_CODE:
            raise envelope_failure(body)
        data = body.get("data")
        limits = data.get("limits") if isinstance(data, dict) else None
        if not isinstance(limits, list) or not limits:
            raise BadResponseError("answer has no data.limits")
        if not all(isinstance(item, dict) for item in limits):
            raise BadResponseError("data.limits holds something that is not a limit")
        windows = tuple(limit_window(item) for item in limits)
        return Balance(currency=None, windows=windows, scope="account")
