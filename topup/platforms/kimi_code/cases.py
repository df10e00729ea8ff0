"""Kimi Code's recorded answers with their expected results (run by the generic tests).

Bodies follow the captured shapes in public clients (openusage docs/providers/kimi.md, CodexBar
and tokdash fixtures): counts as strings, ``used`` absent when zero, ``TIME_UNIT_MINUTE``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.expect import Windows
from topup.platforms.standard_cases import html_503, truncated_json

_KEY = {"api_key": "sk-kimi-test-0123456789"}
_PATH = "/coding/v1/usages"
_5H = {"duration": 300, "timeUnit": "TIME_UNIT_MINUTE"}


def _usages(**body: Any) -> Exchange:
    return Exchange(_PATH, json=body)


CASES: tuple[Case, ...] = (
    Case(
        "weekly usage and the 5h limit, counts as strings",
        _KEY,
        (
            Exchange(
                _PATH,
                json={
                    "user": {"userId": "u1", "membership": {"level": "LEVEL_INTERMEDIATE"}},
                    "usage": {
                        "limit": "100",
                        "used": "51",
                        "remaining": "49",
                        "resetTime": "2026-08-07T05:45:09.020360Z",
                    },
                    "limits": [
                        {
                            "window": _5H,
                            "detail": {
                                "limit": "100",
                                "used": "12",
                                "remaining": "88",
                                "resetTime": "2026-08-02T01:45:09.020360Z",
                            },
                        }
                    ],
                    "subType": "TYPE_PURCHASE",
                },
                expect_headers={"authorization": "Bearer sk-kimi-test-0123456789"},
            ),
        ),
        {
            "status": "ok",
            "currency": None,
            "balance": None,
            "scope": "account",
            "windows": Windows(
                {
                    "name": "5h",
                    "limit": "100",
                    "used": "12",
                    "remaining": "88",
                    "resets_at": "2026-08-02T01:45:09.020360+00:00",
                },
                {
                    "name": "weekly",
                    "limit": "100",
                    "used": "51",
                    "remaining": "49",
                    "resets_at": "2026-08-07T05:45:09.020360+00:00",
                },
            ),
        },
    ),
    Case(
        "trap: used left out when zero is limit - remaining, not unknown",
        _KEY,
        (
            _usages(
                usage={"limit": "1000", "remaining": "1000", "resetTime": "2026-07-25T00:00:00Z"},
                limits=[
                    {
                        "window": _5H,
                        "detail": {"limit": "100", "remaining": "100", "resetTime": ""},
                    }
                ],
            ),
        ),
        {
            "status": "ok",
            "windows": Windows(
                {"name": "5h", "used": "0", "remaining": "100"},
                {"name": "weekly", "used": "0", "limit": "1000"},
            ),
        },
    ),
    Case(
        "window lengths name themselves (hours, days; short unit spelling)",
        _KEY,
        (
            _usages(
                limits=[
                    {
                        "window": {"duration": "2", "timeUnit": "TIME_UNIT_HOUR"},
                        "detail": {"limit": "10", "used": "1"},
                    },
                    {
                        "window": {"duration": 7, "timeUnit": "DAY"},
                        "detail": {"limit": "1000", "remaining": "600"},
                    },
                ]
            ),
        ),
        {
            "status": "ok",
            "windows": Windows(
                {"name": "2h", "used": "1", "remaining": "9", "resets_at": None},
                {"name": "weekly", "used": "400"},
            ),
        },
    ),
    Case(
        "exhausted window reported plainly is a value",
        _KEY,
        (
            _usages(
                usage={"limit": "100", "used": "100", "remaining": "0", "resetTime": ""},
                limits=[{"window": _5H, "detail": {"limit": "100", "used": "100"}}],
            ),
        ),
        {"status": "ok", "windows": Windows({"name": "5h", "remaining": "0"}, {"name": "weekly"})},
    ),
    Case(
        "401 invalid key",
        _KEY,
        (
            Exchange(
                _PATH,
                status=401,
                json={
                    "error": {
                        "type": "invalid_authentication_error",
                        "message": "The API Key appears to be invalid or may have expired",
                    }
                },
            ),
        ),
        {"status": "auth_error", "windows": Windows()},
    ),
    Case(
        "neither usage nor limits is a bad response, never a full plan",
        _KEY,
        (_usages(user={"userId": "u1"}, totalQuota={}),),
        {"status": "bad_response"},
    ),
    Case(
        "a window without counts is a bad response",
        _KEY,
        (_usages(usage={"resetTime": "2026-07-25T00:00:00Z"}),),
        {"status": "bad_response"},
    ),
    Case(
        "a limit without a duration is a bad response",
        _KEY,
        (_usages(limits=[{"window": {"timeUnit": "TIME_UNIT_FORTNIGHT"}, "detail": {}}]),),
        {"status": "bad_response"},
    ),
    Case(
        "429 rate limited",
        _KEY,
        (
            Exchange(
                _PATH,
                status=429,
                json={"error": {"message": "rate limit reached", "type": "rate_limit_error"}},
                headers={"retry-after": "1"},
            ),
        ),
        {"status": "rate_limited"},
    ),
    html_503(_PATH, _KEY, name="503 HTML page", staged={}),
    truncated_json(_PATH, _KEY, '{"usage":{"limit":"100","us', name="truncated JSON", staged={}),
    Case(
        "base_url pasted with /coding/v1 is not a different API",
        {**_KEY, "base_url": "https://api.kimi.com"},
        (_usages(usage={"limit": "5", "used": "1"}),),
        {"status": "ok", "windows": Windows({"name": "weekly", "remaining": "4"})},
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "trap: used left out when zero is limit - remaining, not unknown": Staged(
        account={"limit_5h": 100, "limit_weekly": 1000}
    ),
    "exhausted window reported plainly is a value": Staged(
        account={"limit_5h": 100, "used_5h": 100, "limit_weekly": 100, "used_weekly": 100}
    ),
    "401 invalid key": Staged(account={}, config={"api_key": "sk-kimi-not-known"}),
    "429 rate limited": Staged(account={}, fault={"kind": "rate_limit", "retry_after": 0}),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
