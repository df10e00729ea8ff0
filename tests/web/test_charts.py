"""The server-side charts: round value ticks, dated evenly spaced time ticks, the latest value
marked, flat and single-point series still drawn, spend bars with values, dates and an axis,
window gauges; text sized in real pixels (no viewBox on the outer SVG)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from topup import i18n
from topup.model import QuotaWindow
from topup.web import charts

NOW = datetime(2025, 6, 10, 12, 34, tzinfo=UTC)
ROUND = {Decimal(1), Decimal(2), Decimal(5)}


def attrs(svg: str, cls: str, name: str) -> list[str]:
    return re.findall(rf'class="{cls}[^"]*"[^>]*?{name}="([^"]*)"', svg)


def is_round(step: Decimal) -> bool:
    """1, 2 or 5 × 10ⁿ."""
    digits = step.normalize().as_tuple().digits
    return len(digits) == 1 and Decimal(digits[0]) in ROUND


@pytest.mark.parametrize(
    ("lo", "hi"),
    [("20.30", "32.10"), ("0", "1"), ("0.0012", "0.0049"), ("-3", "1234567"), ("99", "99")],
)
def test_value_ticks_are_round_and_cover_the_values(lo: str, hi: str) -> None:
    ticks = charts.value_ticks(Decimal(lo), Decimal(hi))
    steps = {b - a for a, b in pairwise(ticks)}
    assert len(steps) == 1 and is_round(steps.pop())
    assert ticks[0] <= Decimal(lo) and ticks[-1] >= Decimal(hi)
    assert 2 <= len(ticks) <= 7


def test_the_chart_labels_its_value_axis_with_round_numbers() -> None:
    series = [(NOW - timedelta(hours=h), Decimal("20.3") + Decimal(h) / 2) for h in range(24)]
    svg = str(charts.line_chart(series, NOW - timedelta(hours=24), NOW, currency="USD"))
    values = [Decimal(v) for v in attrs(svg, "tick y", "data-value")]
    assert len(values) >= 3
    steps = {b - a for a, b in pairwise(values)}
    assert len(steps) == 1
    step = steps.pop()
    assert is_round(step) and all(v % step == 0 for v in values)  # 20.00, 25.00, …


@pytest.mark.parametrize(
    ("span", "step"),
    [
        (timedelta(hours=24), timedelta(hours=6)),
        (timedelta(days=7), timedelta(days=2)),
        (timedelta(days=30), timedelta(days=7)),
        (timedelta(days=90), timedelta(days=28)),
    ],
)
def test_time_ticks_are_even_and_on_whole_hours_or_days(span: timedelta, step: timedelta) -> None:
    ticks, used = charts.time_ticks(NOW - span, NOW)
    assert used == step
    assert all(b - a == step for a, b in pairwise(ticks))
    assert all(t.minute == 0 and t.second == 0 for t in ticks)
    if step >= timedelta(days=1):
        assert all(t.hour == 0 for t in ticks)
    assert NOW - span <= ticks[0] and ticks[-1] <= NOW


def test_the_time_axis_is_dated() -> None:
    series = [(NOW - timedelta(days=d), Decimal(100 - d)) for d in range(7, 0, -1)]
    svg = str(charts.line_chart(series, NOW - timedelta(days=7), NOW))
    dated = attrs(svg, "tick x", "data-at")
    assert len(dated) >= 3
    assert all(datetime.fromisoformat(d).hour == 0 for d in dated)
    assert "Jun 4" in svg or "Jun 5" in svg  # the month named: no 06/05 vs 05/06
    with i18n.use("zh_CN"):
        zh = str(charts.line_chart(series, NOW - timedelta(days=7), NOW))
    assert "6月5日" in zh or "6月4日" in zh
    day = str(charts.line_chart(series[-1:], NOW - timedelta(hours=24), NOW))
    assert re.search(r">\d\d:00</tspan>", day) and "Jun 10" in day  # hours, and the day


def test_the_latest_point_is_marked_with_its_value() -> None:
    series = [(NOW - timedelta(hours=3), Decimal("12.5")), (NOW - timedelta(hours=1), Decimal("7"))]
    svg = str(charts.line_chart(series, NOW - timedelta(hours=24), NOW, currency="CNY"))
    assert re.search(r'<circle class="latest"[^>]*data-value="7"', svg)
    assert re.search(r'<text class="latest"[^>]*>7\.00 CNY</text>', svg)


@pytest.mark.parametrize("n", [1, 5], ids=["single-point", "flat"])
def test_a_flat_or_single_point_series_is_still_drawn(n: int) -> None:
    series = [(NOW - timedelta(hours=h + 1), Decimal("42")) for h in range(n)][::-1]
    svg = str(charts.line_chart(series, NOW - timedelta(hours=24), NOW))
    d = attrs(svg, "line", "d")[0]
    assert d.startswith("M") and d.endswith("H1000.0")  # across to now
    first_x = float(d[1:].split()[0])
    assert first_x < 1000  # a visible stretch, not a point on the edge
    lo, hi = (Decimal(x) for x in re.findall(r'data-(?:lo|hi)="([^"]+)"', svg))
    assert lo < Decimal(42) < hi  # in the middle of its axis, not on its edge
    assert 'class="latest"' in svg


def test_a_series_ending_at_now_still_shows_its_point() -> None:
    svg = str(charts.line_chart([(NOW, Decimal("3"))], NOW - timedelta(hours=24), NOW))
    assert attrs(svg, "line", "d") == ["M1000.0 500.0H1000.0"]
    assert re.search(r'<circle class="latest" cx="99.99%"', svg)


def test_the_text_is_sized_in_real_pixels() -> None:
    series = [(NOW - timedelta(hours=2), Decimal("1"))]
    for svg in (
        str(charts.line_chart(series, NOW - timedelta(hours=24), NOW)),
        str(charts.bar_chart([(NOW, Decimal("1"))])),
    ):
        outer = svg.split(">", 1)[0]
        assert "viewBox" not in outer and 'width="100%"' in outer
        assert 'class="plot"' in svg and 'preserveAspectRatio="none"' in svg


def test_spend_bars_have_values_dates_and_an_axis() -> None:
    days = [(datetime(2025, 6, d, tzinfo=UTC), Decimal(d) / 4) for d in range(1, 6)]
    svg = str(charts.bar_chart(days, currency="USD"))
    assert svg.count("<rect") == 5
    assert re.findall(r'class="val[^"]*"[^>]*>([^<]+)<', svg) == [
        "0.25",
        "0.50",
        "0.75",
        "1.00",
        "1.25",
    ]
    assert attrs(svg, "tick x", "data-at") == [f"2025-06-0{d}" for d in range(1, 6)]
    assert ">Jun 1<" in svg and 'class="axis"' in svg
    ticks = [Decimal(v) for v in attrs(svg, "tick y", "data-value")]
    assert ticks[0] == 0 and ticks[-1] >= Decimal("1.25")
    assert ">USD<" in svg


def test_many_spend_bars_label_the_largest_and_the_latest() -> None:
    days = [
        (datetime(2025, 5, 1, tzinfo=UTC) + timedelta(days=i), Decimal(i % 7)) for i in range(30)
    ]
    svg = str(charts.bar_chart(days))
    values = re.findall(r'class="val[^"]*"[^>]*>([^<]+)<', svg)
    assert values == ["6.00", "1.00"]  # the first largest (day 7) and the last (day 30)
    assert len(attrs(svg, "tick x", "data-at")) <= 9


def test_window_gauges_show_what_is_left() -> None:
    svg = str(charts.gauge(QuotaWindow(name="5h", used_percent=Decimal(95))))
    assert 'data-left="5"' in svg and 'class="fill low" width="5.0%"' in svg
    unknown = str(charts.gauge(QuotaWindow(name="weekly")))
    assert 'class="fill' not in unknown and 'data-left=""' in unknown
