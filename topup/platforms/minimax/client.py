"""MiniMax Coding Plan: ``GET {base}/v1/api/openplatform/coding_plan/remains`` with ``Bearer``.

``model_remains[]``, one entry per model family (``general``, ``video``; older answers name the
model, e.g. ``MiniMax-M2``): the 5-hour window from ``current_interval_*`` (reset at
``end_time``, epoch ms) and the weekly one from ``current_weekly_*`` (``weekly_end_time``).
Traps: ``current_interval_usage_count`` is the **remaining** count, not the used one; and since
about 2026-06 both counts are 0 with the data in ``current_interval_remaining_percent`` /
``current_weekly_remaining_percent`` - read the percentages whenever the total is 0 (peers that
read the counts show 0% used). Failures come under HTTP 200 in ``base_resp.status_code``:
1004/2049 refuse the key ("login fail", "invalid api key"), 2062 "no active ... plan" means the
key has no plan (auth_error with a hint), 1008/2056 mean nothing is left (exhausted), 1002/1039
are rate limits and 1001/1013 MiniMax's own faults.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from topup.account import Account
from topup.errors import (
    AuthError,
    BadResponseError,
    CheckError,
    ExhaustedError,
    RateLimitedError,
    UnavailableError,
)
from topup.model import Balance, QuotaWindow
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import ACCEPT_JSON, bearer_get
from topup.platforms.responses import int_field, snippet
from topup.platforms.windows import count, epoch_ms, no_plan, plan_answer

PATH = "/v1/api/openplatform/coding_plan/remains"
RETIRED = "MiniMax retired the coding-plan endpoint (HTTP 410 Gone from coding_plan/remains)"
AUTH_CODES = frozenset({1004, 2049})
EXHAUSTED_CODES = frozenset({1008, 2056})
NO_PLAN_CODES = frozenset({2062})
#: MiniMax's documented codes for limits of the API itself and for its own faults.
RATE_CODES = frozenset({1002, 1039})
UNAVAILABLE_CODES = frozenset({1001, 1013})
HUNDRED = Decimal(100)
#: The model family whose windows carry plain names (others are prefixed with their name).
GENERAL = "general"


def window(
    name: str, total: Decimal | None, left: Decimal | None, left_percent: Decimal | None
) -> QuotaWindow | None:
    """The one place counts become a window: ``*_usage_count`` is what is LEFT; a total of 0
    (answers since ~2026-06) means the counts are not given, so the remaining percent is read."""
    if total is not None and total > 0 and left is not None:
        return QuotaWindow(name=name, limit=total, used=total - left, remaining=left)
    if left_percent is not None:
        return QuotaWindow(name=name, used_percent=HUNDRED - left_percent)
    return None


def model_windows(entry: dict[str, Any], prefix: str) -> list[QuotaWindow]:
    found = []
    five = window(
        f"{prefix}5h",
        count(entry, "current_interval_total_count"),
        count(entry, "current_interval_usage_count"),
        count(entry, "current_interval_remaining_percent"),
    )
    if five is not None:
        found.append(_with_reset(five, entry.get("end_time")))
    weekly = window(
        f"{prefix}weekly",
        count(entry, "current_weekly_total_count"),
        count(entry, "current_weekly_usage_count"),
        count(entry, "current_weekly_remaining_percent"),
    )
    if weekly is not None:
        found.append(_with_reset(weekly, entry.get("weekly_end_time")))
    return found


def _with_reset(found: QuotaWindow, end: Any) -> QuotaWindow:
    return QuotaWindow(
        name=found.name,
        limit=found.limit,
        used=found.used,
        remaining=found.remaining,
        used_percent=found.used_percent,
        resets_at=epoch_ms(end),
    )


def remains_windows(entries: list[Any]) -> tuple[QuotaWindow, ...]:
    windows: list[QuotaWindow] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise BadResponseError("model_remains holds something that is not a model")
        model = snippet(str(entry.get("model_name") or ""), 40)
        prefix = "" if model == GENERAL or len(entries) == 1 else f"{model or 'model'} "
        windows += model_windows(entry, prefix)
    if not windows:
        raise BadResponseError("model_remains has neither counts nor percentages")
    return tuple(windows)


def status_failure(base: dict[str, Any]) -> CheckError:
    code = int_field(base, "status_code")
    shown = snippet(str(base.get("status_msg") or f"status {code}"), 160)
    if code in NO_PLAN_CODES or "plan" in shown.lower():
        return no_plan("MiniMax", f"{shown} ({code})")
    if code in AUTH_CODES:
        return AuthError(
            f"MiniMax refused the key ({code}: {shown}); it takes the coding-plan key as Bearer, "
            "on the host of its region (api.minimaxi.com in China, api.minimax.io elsewhere)"
        )
    if code in EXHAUSTED_CODES:
        return ExhaustedError(f"MiniMax says nothing is left ({code}): {shown}")
    if code in RATE_CODES:
        return RateLimitedError(f"rate limited by MiniMax ({code}): {shown}")
    if code in UNAVAILABLE_CODES:
        return UnavailableError(f"MiniMax is not answering properly ({code}): {shown}")
    return BadResponseError(f"MiniMax reported a failure ({code}): {shown}")


class MiniMax(Provider):
    name = "minimax"
    title = "MiniMax Coding Plan"
    default_base_url = "https://api.minimaxi.com"
    fields = (CredentialField("api_key", "coding-plan API key (sk-cp-...)"),)
    modes = (frozenset({"api_key"}),)
    currency_rule = (
        "no money: the plan's 5h and weekly windows per model family; "
        "international accounts set base_url = https://api.minimax.io"
    )
    key_prefixes = ("sk-cp-",)

    def check(self, account: Account) -> CheckFlow:
        response = yield bearer_get(self, account, PATH, headers=ACCEPT_JSON)
        body = plan_answer(response, retired=RETIRED, what="MiniMax key")
        base = body.get("base_resp")
        if isinstance(base, dict) and base.get("status_code") not in (0, None):
            raise status_failure(base)
        entries = body.get("model_remains")
        if not isinstance(entries, list) or not entries:
            raise BadResponseError("answer has no model_remains")
        return Balance(currency=None, windows=remains_windows(entries), scope="account")
