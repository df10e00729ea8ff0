"""Config values of the alerts tables: flags, amounts, counts, durations, hysteresis, tags.

Each parser takes the raw TOML value and the key it came from, and returns the typed value or
raises a located :class:`~topup.errors.ConfigError` (through :class:`~.located.Where`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from topup.alerts.located import Where
from topup.config import parse_duration

DEFAULT_HYSTERESIS_PERCENT = Decimal(10)

_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Hysteresis:
    """How far past a threshold a value must come back before its alert clears."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    def clear_level(self, threshold: Decimal) -> Decimal:
        """The money level at or above which a ``below threshold`` alert clears."""
        if self.amount is not None:
            return threshold + self.amount
        percent = self.percent if self.percent is not None else DEFAULT_HYSTERESIS_PERCENT
        return threshold + abs(threshold) * percent / 100

    def clear_days(self, days: Decimal) -> Decimal:
        """The runway at or above which a ``runway below days`` alert clears (percent only)."""
        percent = self.percent if self.percent is not None else DEFAULT_HYSTERESIS_PERCENT
        return days + days * percent / 100

    def describe(self) -> str:
        if self.amount is not None:
            return f"{self.amount}"
        percent = self.percent if self.percent is not None else DEFAULT_HYSTERESIS_PERCENT
        return f"{percent}%"


def flag(value: Any, key: str, where: Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, f"{key} must be true or false", f"e.g. {key} = false")
    return value


def amount(
    value: Any, key: str, where: Where, *, allow_off: bool = False, positive: bool = False
) -> Decimal | None:
    if value is False and allow_off:
        return None
    example = f'e.g. {key} = "5"' + (" or false to turn it off" if allow_off else "")
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise where.error(key, f"{key} must be a number", example)
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise where.error(key, f"{key} must be a number, got {value!r}", example) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise where.error(
            key, f"{key} must be a {'positive' if positive else 'non-negative'} number", example
        )
    return number


def count(value: Any, key: str, where: Where) -> int | None:
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise where.error(
            key, f"{key} must be a whole number of checks (1 or more)", f"e.g. {key} = 3, or false"
        )
    return value


def duration(value: Any, key: str, where: Where) -> timedelta:
    if value is False or value == 0:
        return timedelta(0)
    seconds = parse_duration(value)
    if seconds is None or seconds < 0:
        raise where.error(key, f"{key} must be a duration", f'e.g. {key} = "6h", "30m" or 0')
    return timedelta(seconds=seconds)


def hysteresis(value: Any, where: Where) -> Hysteresis:
    hint = 'e.g. hysteresis = "10%" (of the threshold) or "1" (an amount)'
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = Decimal(value.strip()[:-1].strip())
        except InvalidOperation:
            raise where.error(
                "hysteresis", f"hysteresis: not a percentage: {value!r}", hint
            ) from None
        if not percent.is_finite() or percent < 0:
            raise where.error("hysteresis", "hysteresis must not be negative", hint)
        return Hysteresis(percent=percent)
    number = amount(value, "hysteresis", where)
    assert number is not None
    return Hysteresis(amount=number)


def tags(value: Any, key: str, where: Where) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise where.error(key, f"{key} must be a list of strings", f'e.g. {key} = ["team-a"]')
    bad = [t for t in value if not _TAG.match(t)]
    if bad:
        raise where.error(
            key,
            f"{key}: {bad[0]!r} is not a valid tag",
            "letters, digits, '-', '_' and '.'; no spaces, commas or colons",
        )
    return tuple(t.lower() for t in value)
