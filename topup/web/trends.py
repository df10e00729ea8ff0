"""A 7-day summary of one account from its balance points: sparkline, 24 h / 7 d change, spend
per day and runway (:mod:`topup.burn`). Pure functions over any :class:`topup.burn.PointLike`
(stored :class:`~topup.storage.BalancePoint`, or the lean :class:`~topup.burn.Sample` the
dashboard's index builds from :meth:`topup.storage.Store.trend_points`)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import TypeVar

from markupsafe import Markup

from topup import burn
from topup.burn import PointLike, Sample
from topup.serialize import decimal_str
from topup.web.charts import LABEL_SLOT, labelled, sparkline

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
NO_TIME = datetime.min.replace(tzinfo=UTC)
P = TypeVar("P", bound=PointLike)


def _q(value: Decimal | None, places: str) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places))


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


@dataclass(frozen=True, slots=True)
class Summary:
    """The last 7 days of one account, in its latest currency."""

    #: Step points (time, balance) for the sparkline, oldest first.
    spark: tuple[tuple[datetime, Decimal], ...]
    change_24h: Decimal | None
    change_7d: Decimal | None
    spend_per_day: Decimal | None
    runway_days: Decimal | None
    runs_out_at: datetime | None
    #: The sparkline, drawn once per summary (it is most of a page's rendering time), kept
    #: compressed (a page shows a hundred of them; ten thousand accounts keep ~8 MB, not 18).
    #: Its accessible name is left out (:data:`~topup.web.charts.LABEL_SLOT`): it is named in
    #: the reader's language when shown (``spark_count`` points).
    spark_z: bytes = b""
    spark_count: int = 0

    @property
    def spark_svg(self) -> Markup:
        if not self.spark_z:
            return sparkline((), NO_TIME, NO_TIME)
        # Our own SVG (see topup.web.charts: numbers and escaped text only), as it was drawn.
        return labelled(zlib.decompress(self.spark_z).decode(), self.spark_count)


EMPTY = Summary((), None, None, None, None, None)
#: A summary not computed yet (a large deployment just after start): every value unknown.
PENDING = Summary((), None, None, None, None, None)


def usable(points: Iterable[P]) -> list[P]:
    """Known, limited balances in the latest currency, oldest first."""
    known = [p for p in points if p.balance is not None and not p.unlimited]
    if not known:
        return []
    currency = known[-1].currency
    return [p for p in known if p.currency == currency]


def value_at(points: Sequence[PointLike], when: datetime) -> Decimal | None:
    """The balance in effect at ``when`` (the last point at or before it), if known."""
    found: Decimal | None = None
    for p in points:
        if p.at > when:
            break
        found = p.balance
    return found


def summarize(points: Sequence[PointLike], now: datetime, *, spark: bool = True) -> Summary:
    """Sparkline, changes, spend and runway from a week of points (the prior one included)."""
    good = usable(points)
    if not good:
        return EMPTY
    latest = good[-1].balance
    assert latest is not None
    before_24h = value_at(good, now - DAY)
    before_7d = value_at(good, now - WEEK)
    est = burn.estimate(points, window=WEEK, now=now)  # all points: it knows unlimited keys
    series = tuple((p.at, p.balance) for p in good if p.balance is not None)
    return Summary(  # without ``spark``: the points are not kept (the index's memory)
        spark_z=zlib.compress(sparkline(series, now - WEEK, now, label=LABEL_SLOT).encode()),
        spark_count=len(series),
        spark=series if spark else (),
        change_24h=None if before_24h is None else latest - before_24h,
        change_7d=None if before_7d is None else latest - before_7d,
        spend_per_day=est.spend_per_day,
        runway_days=est.runway_days,
        runs_out_at=est.runs_out_at,
    )


def daily_spend(points: Sequence[PointLike]) -> list[tuple[datetime, Decimal]]:
    """Spend per UTC day: the decreases between consecutive known balances, by the later day.

    Increases are top-ups, not negative spend (as in :mod:`topup.burn`).
    """
    good = usable(points)
    out: dict[datetime, Decimal] = {}
    for before, after in pairwise(good):
        day = after.at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        out.setdefault(day, Decimal(0))
        assert before.balance is not None and after.balance is not None
        if after.balance < before.balance:
            out[day] += before.balance - after.balance
    return sorted(out.items())


def samples(rows: Iterable[tuple[datetime, str | None, Decimal | None, bool]]) -> list[Sample]:
    """:meth:`topup.storage.Store.trend_points` rows as points for :func:`summarize`."""
    return [Sample(at, balance, unlimited, currency) for at, currency, balance, unlimited in rows]
