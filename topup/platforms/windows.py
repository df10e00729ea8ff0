"""Reading coding-plan quota windows: window names, reset times, counts, the no-plan message.

A window is named from its length (:func:`window_name`: ``5h``, ``daily``, ``weekly``,
``monthly``); reset times come as ISO 8601 text (:func:`iso_time`) or epoch milliseconds
(:func:`epoch_ms`). Nothing here guesses: an absent figure stays None.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from topup.errors import AuthError, BadResponseError
from topup.platforms.responses import body_text, decimal_field, parse_object, raise_for_transient

HOUR = 3600
DAY = 24 * HOUR
#: Lengths that have a name of their own; others are named in hours, minutes or days.
NAMED = {DAY: "daily", 7 * DAY: "weekly", 30 * DAY: "monthly", 31 * DAY: "monthly"}
_FRACTION = re.compile(r"(\.\d{6})\d+")


def window_name(seconds: int) -> str:
    """``18000`` → ``5h``, ``604800`` → ``weekly``; the one naming rule of every plan."""
    if seconds in NAMED:
        return NAMED[seconds]
    if seconds % DAY == 0:
        return f"{seconds // DAY}d"
    if seconds % HOUR == 0:
        return f"{seconds // HOUR}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 instant (``2026-08-07T05:45:09.020360Z``, nanoseconds cut to micro), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = _FRACTION.sub(r"\1", value.strip())
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def epoch_ms(value: Any) -> datetime | None:
    """Epoch milliseconds (a number or digit string); 0 and negatives mean "not given"."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    if isinstance(value, Decimal) and (not value.is_finite() or value.adjusted() > 15):
        return None
    millis = int(value)
    if millis <= 0 or millis >= 10**15:
        return None
    return datetime.fromtimestamp(millis / 1000, UTC)


def count(obj: dict[str, Any], name: str) -> Decimal | None:
    """An optional count or percentage (number or numeric string); None when absent."""
    return decimal_field(obj, name, required=False)


def no_plan(title: str, shown: str) -> AuthError:
    """A key that works but whose account has no active coding plan: the credential cannot be
    checked as it is (``auth_error``, never ``exhausted`` or a bad answer), with what to do."""
    return AuthError(
        f"no active {title} coding plan on this key: {shown} "
        "(subscribe to the plan, or give the key of the account that holds it)"
    )


def plan_failure(response: httpx.Response, what: str) -> AuthError | BadResponseError:
    """A non-2xx answer: 401/403 refuse the key, anything else is not the documented shape."""
    if response.status_code in (401, 403):
        return AuthError(f"{what} rejected (HTTP {response.status_code}): {body_text(response)}")
    return BadResponseError(f"unexpected HTTP {response.status_code}: {body_text(response)}")


def plan_answer(response: httpx.Response, *, retired: str, what: str) -> dict[str, Any]:
    """The JSON object of a plan endpoint's 200 answer: 410/429/5xx classified once
    (:func:`raise_for_transient`), any other status :func:`plan_failure` (``what`` names the
    key)."""
    raise_for_transient(response, retired=retired)
    if response.status_code != 200:
        raise plan_failure(response, what)
    return parse_object(response)
