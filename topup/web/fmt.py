"""Numbers and times for people (HTML): money with its currency, ages, runways, short dates.

Units and month names are translated (:mod:`topup.i18n`, the ``web`` catalog); numbers keep
their digits and amounts their currency, so ``3.1 d`` reads ``3.1 天`` in Chinese.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from topup.display import CENT, money
from topup.i18n import N_, gettext

__all__ = ["CENT", "age", "days", "money", "short_date", "signed_money"]

TENTH = Decimal("0.1")
MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def signed_money(value: Decimal | None, currency: str | None = None) -> str:
    """``+2.00 USD``, ``-1.50 CNY``; ``—`` when unknown."""
    if value is None:
        return "—"
    text = money(value, currency)
    return text if value < 0 else f"+{text}"


def age(delta: timedelta | None) -> str:
    """``42 s``, ``5 min``, ``3 h``, ``2 d`` (the largest whole unit)."""
    if delta is None:
        return gettext("never")
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return gettext("{n} s").format(n=seconds)
    if seconds < 3600:
        return gettext("{n} min").format(n=seconds // 60)
    if seconds < 2 * 86400:
        return gettext("{n} h").format(n=seconds // 3600)
    return gettext("{n} d").format(n=seconds // 86400)


def days(value: Decimal | None) -> str:
    """A runway: ``—`` when unknown, ``0 d`` when already empty, ``> 999 d`` when very long."""
    if value is None:
        return "—"
    if value <= 0:
        return gettext("{n} d").format(n=0)
    if value > 999:
        return "> " + gettext("{n} d").format(n=999)
    if value < 10:
        return gettext("{n} d").format(n=value.quantize(TENTH, rounding=ROUND_HALF_UP))
    return gettext("{n} d").format(n=value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def short_date(at: datetime) -> str:
    """``Jun 10`` / ``6月10日``: a day no reader can take for another (no 06/10 vs 10/06)."""
    return gettext("{month} {day}").format(month=gettext(MONTHS[at.month - 1]), day=at.day)
