"""MiniMax Coding Plan's recorded answers with their expected results (run by the generic tests).

Bodies follow captured answers in public clients: the pre-2026-06 counts shape (openusage
docs/providers/minimax.md, thesethrose/minimax-usage: ``*_usage_count`` is what is left), the
current percentages shape with counts 0 and a ``video`` family (codexbar-plasmoid smoke test,
tokdash tests), and ``base_resp`` failures (1004 "login fail", 2049, 2062 from Win-CodexBar#262).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.expect import Windows
from topup.platforms.standard_cases import html_503

_KEY = {"api_key": "sk-cp-test-0123456789"}
_PATH = "/v1/api/openplatform/coding_plan/remains"
_OK = {"status_code": 0, "status_msg": "success"}


def _remains(*families: dict[str, Any]) -> Exchange:
    return Exchange(_PATH, json={"model_remains": list(families), "base_resp": _OK})


def _failed(code: int, msg: str) -> Exchange:
    body = {"model_remains": [], "base_resp": {"status_code": code, "status_msg": msg}}
    return Exchange(_PATH, json=body)


_PERCENT_ONLY = {
    "model_name": "general",
    "start_time": 1787547600000,
    "end_time": 1787565600000,
    "remains_time": 10771629,
    "current_interval_total_count": 0,
    "current_interval_usage_count": 0,
    "current_interval_remaining_percent": 75,
    "current_weekly_total_count": 0,
    "current_weekly_usage_count": 0,
    "weekly_end_time": 1788134400000,
    "weekly_remains_time": 579571629,
    "current_weekly_remaining_percent": 40,
    "current_interval_status": 1,
    "current_weekly_status": 1,
}

CASES: tuple[Case, ...] = (
    Case(
        "trap: counts are 0 since 2026-06, the remaining percentages carry the data",
        _KEY,
        (
            Exchange(
                _PATH,
                json={
                    "model_remains": [
                        _PERCENT_ONLY,
                        {
                            "model_name": "video",
                            "current_interval_total_count": 0,
                            "current_interval_usage_count": 0,
                            "current_interval_remaining_percent": 100,
                            "current_weekly_total_count": 0,
                            "current_weekly_usage_count": 0,
                            "current_weekly_remaining_percent": 100,
                        },
                    ],
                    "base_resp": _OK,
                },
                expect_headers={"authorization": "Bearer sk-cp-test-0123456789"},
            ),
        ),
        {
            "status": "ok",
            "currency": None,
            "balance": None,
            "scope": "account",
            "windows": Windows(
                {"name": "5h", "used_percent": "25", "limit": None, "used": None},
                {"name": "weekly", "used_percent": "60"},
                {"name": "video 5h", "used_percent": "0"},
                {"name": "video weekly", "used_percent": "0"},
            ),
        },
    ),
    Case(
        "trap: current_interval_usage_count is what is LEFT, not what was used",
        _KEY,
        (
            _remains(
                {
                    "model_name": "MiniMax-M2",
                    "start_time": 1787547600000,
                    "end_time": 1787565600000,
                    "remains_time": 11820000,
                    "current_interval_total_count": 1500,
                    "current_interval_usage_count": 1245,
                }
            ),
        ),
        {
            "status": "ok",
            "windows": Windows(
                {"name": "5h", "limit": "1500", "used": "255", "remaining": "1245"},
            ),
        },
    ),
    Case(
        "counts with a weekly window, general beside another family",
        _KEY,
        (
            _remains(
                {
                    "model_name": "general",
                    "current_interval_total_count": 4500,
                    "current_interval_usage_count": 4000,
                    "current_weekly_total_count": 45000,
                    "current_weekly_usage_count": 30000,
                    "weekly_end_time": 1788134400000,
                },
                {
                    "model_name": "speech",
                    "current_interval_total_count": 100,
                    "current_interval_usage_count": 100,
                },
            ),
        ),
        {
            "status": "ok",
            "windows": Windows(
                {"name": "5h", "used": "500", "remaining": "4000"},
                {
                    "name": "weekly",
                    "used": "15000",
                    "limit": "45000",
                    "resets_at": "2026-08-31T00:00:00+00:00",
                },
                {"name": "speech 5h", "used": "0"},
            ),
        },
    ),
    Case(
        "base_resp 1004 login fail: the key is refused",
        _KEY,
        (_failed(1004, "login fail"),),
        {"status": "auth_error", "windows": Windows()},
    ),
    Case(
        "base_resp 2049 invalid api key",
        _KEY,
        (_failed(2049, "invalid api key"),),
        {"status": "auth_error"},
    ),
    Case(
        "base_resp 2062: a key without an active plan says so (auth_error with a hint)",
        _KEY,
        (_failed(2062, "no active token plan subscription"),),
        {"status": "auth_error"},
    ),
    Case(
        "base_resp 1008 insufficient balance is exhausted",
        _KEY,
        (_failed(1008, "insufficient balance"),),
        {"status": "exhausted"},
    ),
    Case(
        "base_resp 1002 is a rate limit",
        _KEY,
        (_failed(1002, "rate limit exceeded(RPM)"),),
        {"status": "rate_limited"},
    ),
    Case(
        "an unknown base_resp failure is a bad response",
        _KEY,
        (_failed(1000, "unknown error"),),
        {"status": "bad_response"},
    ),
    Case(
        "no counts and no percentages is a bad response, never 0% used",
        _KEY,
        (
            _remains(
                {
                    "model_name": "general",
                    "current_interval_total_count": 0,
                    "current_interval_usage_count": 0,
                }
            ),
        ),
        {"status": "bad_response"},
    ),
    Case(
        "empty model_remains under success is a bad response",
        _KEY,
        (_remains(),),
        {"status": "bad_response"},
    ),
    Case(
        "HTTP 403 from the wrong host refuses the key",
        {**_KEY, "base_url": "https://www.minimax.io"},
        (Exchange(_PATH, status=403, text="<html><title>Just a moment...</title></html>"),),
        {"status": "auth_error"},
    ),
    html_503(_PATH, _KEY, name="503 HTML page", staged={}),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "trap: counts are 0 since 2026-06, the remaining percentages carry the data": Staged(
        account={"limit_5h": 100, "used_5h": 25, "limit_weekly": 100, "used_weekly": 60}
    ),
    "base_resp 1004 login fail: the key is refused": Staged(
        account={}, config={"api_key": "sk-cp-not-known"}
    ),
    "base_resp 2062: a key without an active plan says so (auth_error with a hint)": Staged(
        account={"plan": False}
    ),
    "base_resp 1002 is a rate limit": Staged(account={}, fault={"kind": "rate_limit"}),
    "an unknown base_resp failure is a bad response": Staged(
        account={}, fault={"kind": "success_false"}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
