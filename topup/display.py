"""Amounts for people, the same in the terminal and on the dashboard."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")


def money(value: Decimal | None, currency: str | None = None) -> str:
    """2 decimals (more for tiny amounts), thousands separators; ``—`` when unknown."""
    if value is None:
        return "—"
    with localcontext(prec=max(28, value.adjusted() + 4)):  # any size: never InvalidOperation
        if value != 0 and abs(value) < CENT:
            text = f"{value.normalize():f}"
        else:
            text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"
    return f"{text} {currency}" if currency else text
