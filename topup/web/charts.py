"""Server-side SVG: sparklines, balance/usage line charts, spend bars, window gauges. No JS, no CDN.

A chart is an outer ``<svg>`` without a ``viewBox`` (one unit is one CSS pixel, so its text is
as large on a phone as on a desktop) holding a plot ``<svg>`` that stretches to any width
(``viewBox="0 0 1000 1000"``, ``preserveAspectRatio="none"``, strokes that do not scale). Text
and markers are placed in percent of the width and in pixels of the fixed height.

Balances are drawn as *steps*: a stored point holds until the next one (see
:class:`topup.storage.BalancePoint`), so the line goes across at the old value and then up or
down at the time of the change. Each drawn point is one ``V`` (or the first ``M``) command of
the path; ``data-points`` on the path says how many points were drawn.
Value ticks are round (1, 2 or 5 × 10ⁿ apart) and computed in Decimal; time ticks fall on whole
UTC hours or days, evenly spaced. Decimals become floats here only to place pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape

from markupsafe import Markup

from topup.i18n import gettext, ngettext
from topup.model import QuotaWindow
from topup.web.fmt import money, short_date

Series = Sequence[tuple[datetime, Decimal]]

#: Plot coordinates (both axes) inside the stretched plot ``<svg>``.
PLOT = 1000
#: Time steps the x axis may use, shortest first.
TIME_STEPS = tuple(timedelta(hours=h) for h in (1, 2, 3, 6, 12, 24, 48, 24 * 7, 24 * 14, 24 * 28))
#: A Monday midnight UTC: hours, days and weeks are counted from it.
EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_NS = ' vector-effect="non-scaling-stroke"'


def _svg(text: str) -> Markup:
    """Mark built SVG safe: it holds numbers and :func:`html.escape`d text only."""
    return Markup(text)  # noqa: S704 - every interpolated string is escaped


def _downsample(series: Series, buckets: int) -> list[tuple[datetime, Decimal]]:
    """At most ~``2 * buckets`` points: per time bucket its min and max (in time order)."""
    if len(series) <= buckets * 2:
        return list(series)
    start, end = series[0][0], series[-1][0]
    span = (end - start).total_seconds() or 1.0
    groups: dict[int, list[tuple[datetime, Decimal]]] = {}
    for point in series:
        index = min(buckets - 1, int((point[0] - start).total_seconds() / span * buckets))
        groups.setdefault(index, []).append(point)
    out: list[tuple[datetime, Decimal]] = []
    for index in sorted(groups):
        group = groups[index]
        lo = min(group, key=lambda p: p[1])
        hi = max(group, key=lambda p: p[1])
        keep = {id(group[0]): group[0], id(lo): lo, id(hi): hi, id(group[-1]): group[-1]}
        out.extend(sorted(keep.values(), key=lambda p: p[0]))
    return out


def nice_step(span: Decimal, count: int = 5) -> Decimal:
    """The smallest 1, 2 or 5 × 10ⁿ step that cuts ``span`` into at most ``count`` parts."""
    if span <= 0:
        return Decimal(1)
    raw = span / count
    power = Decimal(1).scaleb(raw.adjusted())
    for factor in (1, 2, 5, 10):
        if power * factor >= raw:
            return (power * factor).normalize()
    raise AssertionError("unreachable")  # pragma: no cover


def value_ticks(lo: Decimal, hi: Decimal, count: int = 5) -> list[Decimal]:
    """Round ticks covering ``[lo, hi]`` (a flat range is widened around its value)."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) / 10 if lo else Decimal(1)
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, count)
    first = (lo / step).to_integral_value(ROUND_FLOOR) * step
    last = (hi / step).to_integral_value(ROUND_CEILING) * step
    n = int((last - first) / step)
    return [first + step * i for i in range(n + 1)]


def tick_text(value: Decimal, step: Decimal) -> str:
    """A tick's number with as many decimals as its step needs (``0.05`` → 2, ``20`` → 0)."""
    places = max(0, -step.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{value:,.{places}f}"


def time_ticks(start: datetime, end: datetime, count: int = 6) -> tuple[list[datetime], timedelta]:
    """Evenly spaced ticks on whole UTC hours, days or weeks within ``[start, end]``."""
    span = end - start
    step = next((s for s in TIME_STEPS if span / s <= count), TIME_STEPS[-1])
    n = -(-(start - EPOCH) // step)  # the first whole step at or after start
    first = EPOCH + step * n
    ticks = []
    at = first
    while at <= end:
        ticks.append(at)
        at += step
    return ticks, step


def _time_label(at: datetime, step: timedelta, previous: datetime | None) -> list[str]:
    """One or two lines: ``12:00`` (and the day when it changes), or the day."""
    day = short_date(at)
    if step >= timedelta(days=1):
        return [day]
    clock = f"{at:%H:%M}"
    return [clock, day] if previous is None or previous.date() != at.date() else [clock]


def _x(at: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds() or 1.0
    return max(0.0, min(1.0, (at - start).total_seconds() / span))


def step_path(xy: Sequence[tuple[float, float]], end_x: float) -> str:
    """``M x0 y0 H x1 V y1 H x2 V y2 … H end_x``: one ``V`` per point after the first."""
    if not xy:
        return ""
    parts = [f"M{xy[0][0]:.1f} {xy[0][1]:.1f}"]
    for x, y in xy[1:]:
        parts.append(f"H{x:.1f}V{y:.1f}")
    parts.append(f"H{end_x:.1f}")
    return "".join(parts)


#: Where a cached sparkline's label goes (see :func:`labelled`).
LABEL_SLOT = "\x00label\x00"


def spark_label(points: int) -> str:
    """The sparkline's accessible name in the current language."""
    if not points:
        return gettext("no data")
    return ngettext("{n} point", "{n} points", points).format(n=points)


def labelled(svg: str, points: int) -> Markup:
    """A sparkline drawn with ``label=LABEL_SLOT`` (cached in any language), named now."""
    return Markup(svg.replace(LABEL_SLOT, escape(spark_label(points)), 1))  # noqa: S704


def sparkline(
    series: Series,
    start: datetime,
    end: datetime,
    *,
    width: int = 120,
    height: int = 28,
    label: str | None = None,
) -> Markup:
    """A tiny step chart of ``series`` over ``[start, end]``; an empty box with no data.
    ``label``: its accessible name (default: :func:`spark_label`, in the current language)."""
    name = spark_label(len(series)) if label is None else label
    name = name if name == LABEL_SLOT else escape(name)
    head = (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{name}">'
    )
    if not series:
        return _svg(head + "</svg>")
    values = [float(v) for _, v in series]
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = 2.0
    xy = [
        (
            pad + _x(at, start, end) * (width - 2 * pad),
            pad + (1 - (v - lo) / (hi - lo)) * (height - 2 * pad),
        )
        for (at, _), v in zip(series, values, strict=True)
    ]
    y = xy[-1][1]
    dot = f'<circle class="last" cx="{width - pad:.1f}" cy="{y:.1f}" r="1.8"/>'
    return _svg(head + f'<path d="{step_path(xy, width - pad)}"/>{dot}</svg>')


class _Frame:
    """A chart's outer box: ``height`` px, a plot from ``top`` to ``height - bottom`` px."""

    def __init__(self, height: int, top: int = 18, bottom: int = 36) -> None:
        self.height, self.top, self.bottom = height, top, bottom

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    def y_px(self, fraction: float) -> float:
        """Pixels from the top for ``fraction`` of the plot height (0: top)."""
        return self.top + fraction * self.plot_h

    def head(self, cls: str, label: str, **data: object) -> str:
        attrs = "".join(f' data-{k.replace("_", "-")}="{escape(str(v))}"' for k, v in data.items())
        return (
            f'<svg class="{cls}" width="100%" height="{self.height}" role="img" '
            f'aria-label="{escape(label)}"{attrs}>'
        )

    def plot(self, inner: str) -> str:
        return (
            f'<svg class="plot" x="0" y="{self.top}" width="100%" height="{self.plot_h}" '
            f'viewBox="0 0 {PLOT} {PLOT}" preserveAspectRatio="none">{inner}</svg>'
        )


def _y_axis(frame: _Frame, ticks: list[Decimal], unit: str) -> tuple[str, str]:
    """Grid lines (plot coordinates) and their labels, each just above its line."""
    lo, hi = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0]
    grid, labels = [], []
    for value in ticks:
        f = float((hi - value) / (hi - lo))
        grid.append(
            f'<line class="grid" x1="0" x2="{PLOT}" y1="{f * PLOT:.1f}" y2="{f * PLOT:.1f}"{_NS}/>'
        )
        labels.append(
            f'<text class="tick y" x="4" y="{frame.y_px(f) - 3:.1f}" '
            f'data-value="{value}">{escape(tick_text(value, step))}</text>'
        )
    if unit:
        labels.append(
            f'<text class="unit" x="100%" dx="-4" y="12" text-anchor="end">{escape(unit)}</text>'
        )
    return "".join(grid), "".join(labels)


def _x_axis(frame: _Frame, start: datetime, end: datetime) -> tuple[str, str]:
    ticks, step = time_ticks(start, end)
    grid, labels = [], []
    previous: datetime | None = None
    for i, at in enumerate(ticks):
        f = _x(at, start, end)
        grid.append(
            f'<line class="xgrid" x1="{f * PLOT:.1f}" x2="{f * PLOT:.1f}" y1="0" y2="{PLOT}"{_NS}/>'
        )
        anchor = "start" if f < 0.04 else "end" if f > 0.96 else "middle"
        lines = _time_label(at, step, previous)
        y = frame.height - frame.bottom + 14
        spans = "".join(
            f'<tspan x="{f * 100:.2f}%" y="{y + 13 * n}">{escape(t)}</tspan>'
            for n, t in enumerate(lines)
        )
        minor = " minor" if i % 2 else ""
        labels.append(
            f'<text class="tick x{minor}" text-anchor="{anchor}" data-at="{at.isoformat()}">'
            f"{spans}</text>"
        )
        previous = at
    return "".join(grid), "".join(labels)


def line_chart(
    series: Series,
    start: datetime,
    end: datetime,
    *,
    currency: str | None = None,
    height: int = 260,
    max_points: int = 2000,
    what: str | None = None,
    empty: str | None = None,
) -> Markup:
    """A step chart of ``series`` over ``[start, end]``: round value ticks, dated time ticks,
    the latest point marked with its value; the path has one vertex per drawn point.
    ``what`` names the values (aria label), ``currency`` their unit; ``empty`` is shown when
    there is no point."""
    frame = _Frame(height)
    label = what or gettext("balance over time")
    if not series:
        text = empty or gettext("No balance history in this range.")
        return _svg(
            frame.head("chart empty", label)
            + f'<text class="muted" x="50%" y="{height / 2}" text-anchor="middle">'
            f"{escape(text)}</text></svg>"
        )
    drawn = _downsample(series, max_points // 2) if len(series) > max_points else list(series)
    ticks = value_ticks(min(v for _, v in drawn), max(v for _, v in drawn))
    lo, hi = ticks[0], ticks[-1]

    def y_of(value: Decimal) -> float:
        return float((hi - value) / (hi - lo))

    xy = [(_x(at, start, end) * PLOT, y_of(v) * PLOT) for at, v in drawn]
    ygrid, ylabels = _y_axis(frame, ticks, currency or "")
    xgrid, xlabels = _x_axis(frame, start, end)
    path = (
        f'<path class="line" d="{step_path(xy, PLOT)}" data-points="{len(drawn)}" '
        f'data-history="{len(series)}" data-currency="{escape(currency or "")}"{_NS}/>'
    )
    value = series[-1][1]
    fy = frame.y_px(y_of(value))
    fx = 100.0  # the value holds until now: marked at the right edge
    above = fy - frame.top > 22
    marker = (
        f'<circle class="latest" cx="{fx - 0.01:.2f}%" cy="{fy:.1f}" r="4" data-value="{value}"/>'
        f'<text class="latest" x="{fx:.2f}%" dx="-8" y="{fy + (-8 if above else 18):.1f}" '
        f'text-anchor="end">{escape(money(value, currency))}</text>'
    )
    return _svg(
        frame.head("chart", label, lo=lo, hi=hi)
        + frame.plot(ygrid + xgrid + path)
        + ylabels
        + xlabels
        + marker
        + "</svg>"
    )


def bar_chart(
    bars: Sequence[tuple[datetime, Decimal]], *, currency: str | None = None, height: int = 180
) -> Markup:
    """Spend per UTC day as bars over a round value axis, each day dated below; the values of
    the largest and the latest bars (of every bar when few) written above them."""
    frame = _Frame(height, top=22, bottom=22)
    label = gettext("spend per day")
    if not bars:
        return _svg(frame.head("bars empty", label) + "</svg>")
    ticks = value_ticks(Decimal(0), max(max(v for _, v in bars), Decimal(0)))
    if ticks[0] < 0:
        ticks = [t for t in ticks if t >= 0]
    top = ticks[-1]
    ygrid, ylabels = _y_axis(frame, ticks, currency or "")
    n = len(bars)
    slot = PLOT / n
    biggest = max(range(n), key=lambda i: bars[i][1])
    every = max(1, -(-n // 8))  # a date under every ``every``-th bar
    rects, texts = [], []
    for i, (day, value) in enumerate(bars):
        f = float(value / top) if top else 0.0
        tip = f"{day:%Y-%m-%d}: {money(value, currency)}"
        rects.append(
            f'<rect x="{i * slot + slot * 0.15:.1f}" y="{(1 - f) * PLOT:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{f * PLOT:.1f}" data-value="{value}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        cx = (i + 0.5) / n * 100
        key = i in (biggest, n - 1)
        if n <= 8 or key:
            crowded = " crowded" if n > 4 and not key else ""
            texts.append(
                f'<text class="val{crowded}" x="{cx:.2f}%" y="{frame.y_px(1 - f) - 4:.1f}" '
                f'text-anchor="middle">{escape(money(value))}</text>'
            )
        if i % every == 0 or i == n - 1:
            minor = " minor" if (i // every) % 2 and i != n - 1 else ""
            texts.append(
                f'<text class="tick x{minor}" x="{cx:.2f}%" y="{height - 6}" '
                f'text-anchor="middle" data-at="{day:%Y-%m-%d}">{escape(short_date(day))}</text>'
            )
    base = f'<line class="axis" x1="0" x2="{PLOT}" y1="{PLOT}" y2="{PLOT}"{_NS}/>'
    return _svg(
        frame.head("bars", label)
        + frame.plot(ygrid + "".join(rects) + base)
        + ylabels
        + "".join(texts)
        + "</svg>"
    )


def gauge(window: QuotaWindow) -> Markup:
    """How much of a quota window is left, as a bar (full: all left); unknown: an empty track."""
    left = window.left_percent
    share = 0.0 if left is None else float(min(Decimal(100), left))
    level = "unknown" if left is None else "low" if left < 10 else "mid" if left < 25 else "ok"
    fill = (
        ""
        if left is None
        else f'<rect class="fill {level}" width="{share:.1f}%" height="12" rx="6"/>'
    )
    return _svg(
        f'<svg class="gauge" width="100%" height="12" role="img" '
        f'aria-label="{escape(window.name)}" data-left="{"" if left is None else left}">'
        f'<rect class="track" width="100%" height="12" rx="6"/>{fill}</svg>'
    )
