"""Zhipu GLM Coding Plan's recorded answers with their expected results (run by the generic tests).

Bodies follow captured answers in public clients: jukanntenn/glm-plan-usage docs/api-research.md
(TOKENS_LIMIT with a percentage only), a PulseWin fixture captured from open.bigmodel.cn
(CREDIT_LIMIT with counts) and its envelope refusals (401, 1000, 1001, 500 no coding plan).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.expect import Windows

_KEY = {"api_key": "0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp"}
_PATH = "/api/monitor/usage/quota/limit"


def _ok(*limits: dict[str, Any], level: str = "lite") -> Exchange:
    body = {"code": 200, "msg": "操作成功", "data": {"limits": list(limits), "level": level}}
    return Exchange(_PATH, json={**body, "success": True})


def _refused(code: int, msg: str) -> Exchange:
    return Exchange(_PATH, json={"success": False, "code": code, "msg": msg})


CASES: tuple[Case, ...] = (
    Case(
        "TOKENS_LIMIT percentage is the used part; TIME_LIMIT is the monthly MCP quota",
        _KEY,
        (
            Exchange(
                _PATH,
                json={
                    "code": 200,
                    "msg": "操作成功",
                    "data": {
                        "limits": [
                            {
                                "type": "TIME_LIMIT",
                                "unit": 5,
                                "number": 1,
                                "usage": 100,
                                "currentValue": 28,
                                "remaining": 72,
                                "percentage": 28,
                                "nextResetTime": 1772615765983,
                                "usageDetails": [{"modelCode": "search-prime", "usage": 67}],
                            },
                            {
                                "type": "TOKENS_LIMIT",
                                "unit": 3,
                                "number": 5,
                                "percentage": 1,
                                "nextResetTime": 1771073738808,
                            },
                        ],
                        "level": "lite",
                    },
                    "success": True,
                },
                expect_headers={
                    "authorization": "0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp"
                },
            ),
        ),
        {
            "status": "ok",
            "currency": None,
            "balance": None,
            "scope": "account",
            "windows": Windows(
                {
                    "name": "mcp-monthly",
                    "limit": "100",
                    "used": "28",
                    "remaining": "72",
                    "used_percent": "28",
                    "resets_at": "2026-03-04T09:16:05.983000+00:00",
                },
                {
                    "name": "5h",
                    "limit": None,
                    "used": None,
                    "used_percent": "1",
                    "resets_at": "2026-02-14T12:55:38.808000+00:00",
                },
            ),
        },
    ),
    Case(
        "CREDIT_LIMIT: 5h and weekly windows with counts (usage is the total), MCP monthly",
        _KEY,
        (
            _ok(
                {
                    "type": "CREDIT_LIMIT",
                    "unit": 3,
                    "number": 5,
                    "usage": 2000,
                    "currentValue": 0,
                    "remaining": 2000,
                    "percentage": 0,
                },
                {
                    "type": "CREDIT_LIMIT",
                    "unit": 6,
                    "number": 1,
                    "usage": 10000,
                    "currentValue": 2500,
                    "remaining": 7500,
                    "percentage": 25,
                    "nextResetTime": 1789373585999,
                },
                {
                    "type": "TIME_LIMIT",
                    "unit": 5,
                    "number": 1,
                    "usage": 100,
                    "currentValue": 0,
                    "remaining": 100,
                    "percentage": 0,
                    "nextResetTime": 1790000000000,
                },
            ),
        ),
        {
            "status": "ok",
            "windows": Windows(
                {"name": "5h", "limit": "2000", "used": "0", "used_percent": "0"},
                {"name": "weekly", "limit": "10000", "used": "2500", "remaining": "7500"},
                {"name": "mcp-monthly", "limit": "100", "used": "0", "used_percent": "0"},
            ),
        },
    ),
    Case(
        "a fractional percentage stays exact",
        _KEY,
        (_ok({"type": "TOKENS_LIMIT", "unit": 3, "number": "5", "percentage": 45.5}),),
        {"status": "ok", "windows": Windows({"name": "5h", "used_percent": "45.5"})},
    ),
    Case(
        "HTTP 200 success:false code 401: key refused",
        _KEY,
        (_refused(401, "令牌已过期或验证不正确"),),
        {"status": "auth_error"},
    ),
    Case(
        "HTTP 200 code 1000 authentication failed",
        _KEY,
        (_refused(1000, "身份验证失败。"),),
        {"status": "auth_error"},
    ),
    Case(
        "HTTP 200 code 1001: no Authorization header",
        _KEY,
        (_refused(1001, "Header中未收到Authorization参数"),),
        {"status": "auth_error"},
    ),
    Case(
        "a working key without a coding plan says so (auth_error with a hint)",
        _KEY,
        (_refused(500, "当前用户不存在coding plan"),),
        {"status": "auth_error"},
    ),
    Case(
        "a generic 500 under HTTP 200 is not a key problem",
        _KEY,
        (_refused(500, "服务暂时不可用"),),
        {"status": "bad_response"},
    ),
    Case(
        "empty limits is a bad response, never an unused plan",
        _KEY,
        (_ok(),),
        {"status": "bad_response"},
    ),
    Case(
        "a limit with neither percentage nor counts is a bad response",
        _KEY,
        (_ok({"type": "TOKENS_LIMIT", "unit": 3, "number": 5}),),
        {"status": "bad_response"},
    ),
    Case(
        "a limit in an unknown unit is a bad response",
        _KEY,
        (_ok({"type": "TOKENS_LIMIT", "unit": 9, "number": 5, "percentage": 3}),),
        {"status": "bad_response"},
    ),
    Case(
        "HTTP 401 refuses the key",
        _KEY,
        (Exchange(_PATH, status=401, json={"error": {"message": "Unauthorized"}}),),
        {"status": "auth_error"},
    ),
    Case(
        "429 rate limited",
        _KEY,
        (
            Exchange(
                _PATH,
                status=429,
                json={"error": {"message": "Too Many Requests", "type": "rate_limit"}},
            ),
        ),
        {"status": "rate_limited"},
    ),
    Case(
        "504 gateway timeout",
        _KEY,
        (Exchange(_PATH, status=504, text="<html><title>504 Gateway Time-out</title></html>"),),
        {"status": "unavailable"},
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "CREDIT_LIMIT: 5h and weekly windows with counts (usage is the total), MCP monthly": Staged(
        account={"limit_5h": 2000, "limit_weekly": 10000, "used_weekly": 2500}
    ),
    "HTTP 200 success:false code 401: key refused": Staged(
        account={}, config={"api_key": "not-a-key-of-this-site"}
    ),
    "a working key without a coding plan says so (auth_error with a hint)": Staged(
        account={"plan": False}
    ),
    "a generic 500 under HTTP 200 is not a key problem": Staged(
        account={}, fault={"kind": "success_false"}
    ),
    "429 rate limited": Staged(account={}, fault={"kind": "rate_limit", "retry_after": 0}),
    "504 gateway timeout": Staged(account={}, fault={"kind": "gateway_timeout"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)
