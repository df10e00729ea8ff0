"""Numbers and times for people (HTML): money with its currency, ages, runways."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from topup.display import CENT, money

__all__ = ["CENT", "age", "money", "signed_money"]

TENTH = Decimal("0.1")


def signed_money(value: Decimal | None, currency: str | None = None) -> str:
    if value is None:
        return "—"
    text = money(value, currency)
    return text if value < 0 else f"+{text}"


def age(delta: timedelta | None) -> str:
    """``42 s``, ``5 min``, ``3 h``, ``2 d`` (the largest whole unit)."""
    if delta is None:
        return "never"
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def days(value: Decimal | None) -> str:
    """A runway: ``—`` when unknown, ``0 d`` when already empty, ``> 999 d`` when very long."""
    if value is None:
        return "—"
    if value <= 0:
        return "0 d"
    if value > 999:
        return "> 999 d"
    if value < 10:
        return f"{value.quantize(TENTH, rounding=ROUND_HALF_UP)} d"
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP)} d"
