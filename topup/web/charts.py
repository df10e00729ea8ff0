"""Server-side SVG: sparklines, balance line charts and spend bars. No JS, no CDN.

Balances are drawn as *steps*: a stored point holds until the next one (see
:class:`topup.storage.BalancePoint`), so the line goes across at the old value and then up or
down at the time of the change. Each drawn point is one ``V`` (or the first ``M``) command of
the path; ``data-points`` on the path says how many points were drawn.
Decimals become floats here only to place pixels; the labels are formatted from the Decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

from markupsafe import Markup

from topup.web.fmt import money

Series = Sequence[tuple[datetime, Decimal]]


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


def _scale(
    series: Series, start: datetime, end: datetime, width: float, height: float, pad: float
) -> tuple[list[tuple[float, float]], float, float]:
    values = [float(v) for _, v in series]
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    span = (end - start).total_seconds() or 1.0
    xy = []
    for (at, _), v in zip(series, values, strict=True):
        x = pad + max(0.0, min(1.0, (at - start).total_seconds() / span)) * (width - 2 * pad)
        y = pad + (1 - (v - lo) / (hi - lo)) * (height - 2 * pad)
        xy.append((x, y))
    return xy, lo, hi


def step_path(xy: Sequence[tuple[float, float]], end_x: float) -> str:
    """``M x0 y0 H x1 V y1 H x2 V y2 … H end_x``: one ``V`` per point after the first."""
    if not xy:
        return ""
    parts = [f"M{xy[0][0]:.1f} {xy[0][1]:.1f}"]
    for x, y in xy[1:]:
        parts.append(f"H{x:.1f}V{y:.1f}")
    parts.append(f"H{end_x:.1f}")
    return "".join(parts)


def sparkline(
    series: Series, start: datetime, end: datetime, *, width: int = 120, height: int = 28
) -> Markup:
    """A tiny step chart of ``series`` over ``[start, end]``; an empty box with no data."""
    label = "no data" if not series else f"{len(series)} points"
    head = (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="balance, last 7 days: {label}">'
    )
    if not series:
        return _svg(head + "</svg>")
    drawn = _downsample(series, width // 2)
    xy, _, _ = _scale(drawn, start, end, width, height, 2)
    path = step_path(xy, width - 2)
    return _svg(f'{head}<path d="{path}" data-points="{len(drawn)}"/></svg>')


def _ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    step = (hi - lo) / count
    return [lo + step * i for i in range(count + 1)]


def line_chart(
    series: Series,
    start: datetime,
    end: datetime,
    *,
    currency: str | None = None,
    width: int = 800,
    height: int = 260,
    max_points: int = 2000,
) -> Markup:
    """A balance chart with value and time labels; the path has one vertex per drawn point."""
    pad, left, bottom = 8.0, 80.0, 22.0
    head = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        f'role="img" aria-label="balance over time">'
    )
    if not series:
        return _svg(
            head + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            'class="muted">no balance history in this range</text></svg>'
        )
    drawn = _downsample(series, max_points // 2) if len(series) > max_points else list(series)
    inner_w, inner_h = width - left - pad, height - bottom - pad
    xy, lo, hi = _scale(drawn, start, end, inner_w, inner_h, 0)
    xy = [(x + left, y + pad) for x, y in xy]
    parts = [head]
    for value in _ticks(lo, hi):
        y = pad + (1 - (value - lo) / (hi - lo)) * inner_h
        text = escape(money(Decimal(repr(value)), None))
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
        )
    span = end - start
    fmt = "%H:%M" if span <= timedelta(days=2) else "%m-%d"
    for i in range(5):
        at = start + span * i / 4
        x = left + inner_w * i / 4
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}">'
            f"{at:{fmt}}</text>"
        )
    path = step_path(xy, width - pad)
    unit = escape(currency or "")
    parts.append(
        f'<path class="line" d="{path}" data-points="{len(drawn)}" '
        f'data-history="{len(series)}" data-currency="{unit}"/>'
    )
    parts.append("</svg>")
    return _svg("".join(parts))


def bar_chart(
    bars: Sequence[tuple[datetime, Decimal]], *, width: int = 800, height: int = 140
) -> Markup:
    """Spend per day as bars (UTC days)."""
    head = (
        f'<svg class="bars" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        'role="img" aria-label="spend per day">'
    )
    if not bars:
        return _svg(head + "</svg>")
    top = max(float(v) for _, v in bars) or 1.0
    slot = width / len(bars)
    parts = [head]
    for i, (day, value) in enumerate(bars):
        h = float(value) / top * (height - 4)
        parts.append(
            f'<rect x="{i * slot + slot * 0.1:.1f}" y="{height - h:.1f}" '
            f'width="{slot * 0.8:.1f}" height="{h:.1f}"><title>{day:%Y-%m-%d}: '
            f"{escape(money(value))}</title></rect>"
        )
    parts.append("</svg>")
    return _svg("".join(parts))
