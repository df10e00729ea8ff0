"""AIHubMix's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged

_KEY = {"api_key": "sk-ahm-key-0123456789"}
_REMAIN = "/dashboard/billing/remain"

CASES: tuple[Case, ...] = (
    Case(
        "manage key, documented answer with secrets inside",
        {"access_token": "ahm-manage-key-0123456789"},
        (
            Exchange("/api/status", status=404, text="404 page not found"),
            Exchange(
                "/api/user/self",
                json={
                    "data": {
                        "id": 123,
                        "username": "u",
                        "password": "hunter2-password",
                        "access_token": "ahm-manage-key-0123456789",
                        "verification_code": "998877",
                        "quota": 61500000,
                        "used_quota": 38500000,
                        "status": 1,
                    },
                    "message": "",
                    "success": True,
                },
                expect_headers={"authorization": "Bearer ahm-manage-key-0123456789"},
            ),
        ),
        {"status": "ok", "currency": "USD", "balance": "123", "used": "77", "scope": "account"},
    ),
    Case(
        "failure message under success:false",
        {"access_token": "ahm-bad"},
        (
            Exchange("/api/status", json={"success": True, "data": {"quota_per_unit": 500000}}),
            Exchange(
                "/api/user/self",
                json={"data": None, "message": "无权进行此操作,token 无效", "success": False},
            ),
        ),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "sk- key: total_usage of /dashboard/billing/remain is what REMAINS, in USD",
        _KEY,
        (
            Exchange(
                _REMAIN,
                json={"object": "list", "total_usage": Decimal("12.3456")},
                expect_headers={"authorization": "Bearer sk-ahm-key-0123456789"},
            ),
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "12.3456",
            "used": None,
            "unlimited": False,
            "scope": "key",
        },
    ),
    Case(
        "sk- key: the optional APP-Code header is sent",
        {**_KEY, "app_code": "ABCD1234"},
        (
            Exchange(
                _REMAIN,
                json={"object": "list", "total_usage": 0},
                expect_headers={"app-code": "ABCD1234"},
            ),
        ),
        {"status": "ok", "balance": "0"},
    ),
    Case(
        "sk- key: -0.000002 marks an unlimited key",
        _KEY,
        (Exchange(_REMAIN, json={"object": "list", "total_usage": Decimal("-0.000002")}),),
        {"status": "ok", "unlimited": True, "balance": None, "scope": "key"},
    ),
    Case(
        "sk- key: quota exhausted refusal is exhausted, not auth",
        _KEY,
        (
            Exchange(
                _REMAIN,
                status=403,
                json={"error": {"message": "quota exhausted", "type": "aihubmix_api_error"}},
            ),
        ),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "sk- key: invalid key",
        _KEY,
        (
            Exchange(
                _REMAIN,
                status=401,
                json={"error": {"message": "无效的令牌", "type": "one_api_error"}},
            ),
        ),
        {"status": "auth_error"},
    ),
    Case(
        "sk- key: no total_usage is a bad response, never 0",
        _KEY,
        (Exchange(_REMAIN, json={"object": "list"}),),
        {"status": "bad_response", "balance": None},
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "manage key, documented answer with secrets inside": Staged(
        account={"quota": 61500000, "used_quota": 38500000}
    ),
    "failure message under success:false": Staged(
        account={"quota": 1}, config={"access_token": "ahm-not-known"}
    ),
    "sk- key: total_usage of /dashboard/billing/remain is what REMAINS, in USD": Staged(
        key={"remain": 6172800, "used": 100}
    ),
    "sk- key: -0.000002 marks an unlimited key": Staged(key={"unlimited": True, "used": 5}),
    "sk- key: quota exhausted refusal is exhausted, not auth": Staged(key={"remain": 0}),
    "sk- key: invalid key": Staged(key={"remain": 5}, config={"api_key": "sk-not-known"}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)
