"""Kimi Code (the Kimi coding plan): ``GET {base}/coding/v1/usages``, ``Bearer <Kimi Code key>``.

The answer (undocumented; shapes from public clients' captured bodies) has ``usage`` - the plan's
weekly window, ``{limit, used, remaining, resetTime}`` with counts as strings - and ``limits[]``,
each a ``window {duration, timeUnit}`` with a ``detail`` like ``usage`` (the 5-hour window is
``300 TIME_UNIT_MINUTE``). ``used`` is left out when it is zero: it is then ``limit - remaining``,
never assumed. Counts are requests of the plan, not money: the result has windows only.
A refused key is HTTP 401 ``{"error":{"type":"invalid_authentication_error",...}}``.
"""

from __future__ import annotations

from typing import Any

from topup.account import Account
from topup.errors import BadResponseError
from topup.model import Balance, QuotaWindow
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import ACCEPT_JSON, bearer_get
from topup.platforms.responses import int_field
from topup.platforms.windows import (
    count,
    iso_time,
    plan_answer,
    plan_failure,
    window_name,
)

PATH = "/coding/v1/usages"
RETIRED = "Kimi Code retired its usage endpoint (HTTP 410 Gone from /coding/v1/usages)"
#: ``timeUnit`` → seconds: the one unit conversion of this adapter (both spellings seen).
TIME_UNITS = {
    "TIME_UNIT_SECOND": 1,
    "TIME_UNIT_MINUTE": 60,
    "TIME_UNIT_HOUR": 3600,
    "TIME_UNIT_DAY": 86400,
    "SECOND": 1,
    "MINUTE": 60,
    "HOUR": 3600,
    "DAY": 86400,
}
#: The top-level ``usage`` block carries no window of its own: it is the plan's weekly quota.
USAGE_WINDOW = "weekly"


def detail_window(name: str, detail: dict[str, Any]) -> QuotaWindow:
    """One window from a ``{limit, used, remaining, resetTime}`` block (counts as strings)."""
    limit = count(detail, "limit")
    used = count(detail, "used")
    remaining = count(detail, "remaining")
    if limit is None and used is None and remaining is None:
        raise BadResponseError(f"the {name} window has no limit, used or remaining count")
    if used is None and limit is not None and remaining is not None:
        used = limit - remaining  # Kimi leaves ``used`` out when it is zero
    if remaining is None and limit is not None and used is not None:
        remaining = limit - used
    return QuotaWindow(
        name=name,
        limit=limit,
        used=used,
        remaining=remaining,
        resets_at=iso_time(detail.get("resetTime") or detail.get("resetAt")),
    )


def limit_name(window: Any) -> str:
    """A ``limits[].window`` as a name: ``{300, TIME_UNIT_MINUTE}`` → ``5h``."""
    if not isinstance(window, dict):
        raise BadResponseError("a limit has no window")
    duration = int_field(window, "duration")
    unit = TIME_UNITS.get(str(window.get("timeUnit") or "").upper())
    if duration is None or duration <= 0 or unit is None:
        raise BadResponseError(
            f"a limit's window is not a duration: {window.get('duration')!r} "
            f"{str(window.get('timeUnit'))[:40]!r}"
        )
    return window_name(duration * unit)


def usage_windows(body: dict[str, Any]) -> tuple[QuotaWindow, ...]:
    windows: list[QuotaWindow] = []
    limits = body.get("limits")
    if limits is not None and not isinstance(limits, list):
        raise BadResponseError("'limits' is not a list")
    for item in limits or ():
        if not isinstance(item, dict) or not isinstance(item.get("detail"), dict):
            raise BadResponseError("a limit has no detail")
        windows.append(detail_window(limit_name(item.get("window")), item["detail"]))
    usage = body.get("usage")
    if isinstance(usage, dict):
        windows.append(detail_window(USAGE_WINDOW, usage))
    if not windows:
        raise BadResponseError("answer has neither usage nor limits")
    return tuple(windows)


class KimiCode(Provider):
    name = "kimi-code"
    title = "Kimi Code (coding plan)"
    default_base_url = "https://api.kimi.com"
    fields = (CredentialField("api_key", "Kimi Code API key (sk-kimi-...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = "no money: request windows of the plan (5h from limits[], weekly from usage)"
    key_prefixes = ("sk-kimi-",)

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH, headers=ACCEPT_JSON)
        body = plan_answer(response, retired=RETIRED, what="Kimi Code key")
        if isinstance(body.get("error"), dict):
            raise plan_failure(response, "Kimi Code key")
        return Balance(currency=None, windows=usage_windows(body), scope="account")
