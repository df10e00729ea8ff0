"""``/metrics``: a Prometheus collector that reads the store at scrape time.

Gauges come from the dashboard's index (:class:`~topup.web.views.Board`: the latest state and
7-day summary of every account, kept current as checks are written);
``topup_checks_total`` counts the stored checks by outcome, incrementally (each scrape only
counts the checks stored since the previous one). Money is ``Decimal`` everywhere else and
becomes a float only here, at the exposition boundary. Unknown values are left out, never
exported as zero.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from topup.storage import Store
from topup.storage.schema import accounts as accounts_table
from topup.storage.schema import checks as checks_table
from topup.web.documents import Documents
from topup.web.views import Board

LABELS = ["account", "provider", "currency"]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class CheckCounts:
    """Stored checks per (account, status), kept up to date without recounting every row.

    The checks up to :data:`WINDOW` ids below the newest are counted once, in one aggregate by
    account id (no join; SQLite runs it without holding the GIL), in a background thread that
    :meth:`start` begins when the server starts, so the first scrape does not pay for a scan
    of the whole history (it waits for the count only if it comes before the count is done).
    Every read then re-reads the ids above that floor and counts each id once, so a check that
    commits after a higher id (two writers on PostgreSQL) is still counted, as long as fewer
    than :data:`WINDOW` newer checks were committed in between.
    """

    WINDOW = 10_000

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._base_lock = threading.Lock()
        self._base: tuple[int, dict[tuple[str, str], int]] | None = None
        self._floor: int | None = None
        self._recent: set[int] = set()
        self._counts: dict[tuple[str, str], int] = {}

    def start(self, after: threading.Event | None = None, wait: float = 5.0) -> threading.Thread:
        """Count the stored checks in the background (the server's start), once ``after`` is
        set (the first page was served) or ``wait`` seconds passed."""

        def run() -> None:
            if after is not None:
                after.wait(wait)
            self._count_base()

        thread = threading.Thread(target=run, name="topup-check-counts", daemon=True)
        thread.start()
        return thread

    def _count_base(self) -> tuple[int, dict[tuple[str, str], int]]:
        with self._base_lock:
            if self._base is not None:
                return self._base
            c, a = checks_table, accounts_table
            with self.store.engine.connect() as conn:
                top = conn.execute(select(func.max(c.c.id))).scalar() or 0
                floor = max(0, int(top) - self.WINDOW)
                totals = (
                    select(c.c.account_id, c.c.status, func.count())
                    .where(c.c.id <= floor)
                    .group_by(c.c.account_id, c.c.status)
                )
                found = conn.execute(totals).all()
                names = dict(conn.execute(select(a.c.id, a.c.name)).all())
                counts: dict[tuple[str, str], int] = {}
                for aid, status, count in found:
                    key = (str(names.get(aid, aid)), str(status))
                    counts[key] = counts.get(key, 0) + int(count)
            self._base = (floor, counts)
            return self._base

    def _add(self, name: object, status: object, count: int) -> None:
        key = (str(name), str(status))
        self._counts[key] = self._counts.get(key, 0) + count

    def read(self) -> dict[tuple[str, str], int]:
        c, a = checks_table, accounts_table
        joined = c.join(a, a.c.id == c.c.account_id)
        with self._lock:
            if self._floor is None:
                floor, counts = self._count_base()  # done, or being done: waits for it
                self._counts = dict(counts)
                self._floor = floor
            with self.store.engine.connect() as conn:
                rows = conn.execute(
                    select(c.c.id, a.c.name, c.c.status)
                    .select_from(joined)
                    .where(c.c.id > self._floor)
                ).all()
            newest = self._floor
            for ident, name, status in rows:
                newest = max(newest, int(ident))
                if ident not in self._recent:
                    self._recent.add(int(ident))
                    self._add(name, status, 1)
            self._floor = max(self._floor, newest - self.WINDOW)
            floor = self._floor
            self._recent = {i for i in self._recent if i > floor}
            return dict(self._counts)


def _f(value: Decimal) -> float:
    return float(value)


class TopupCollector(Collector):
    def __init__(self, documents: Documents, counts: CheckCounts) -> None:
        self.documents = documents
        self.counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        balance = GaugeMetricFamily(
            "topup_balance", "Last known balance (of the last good check).", labels=LABELS
        )
        used = GaugeMetricFamily("topup_used", "Last known amount used.", labels=LABELS)
        runway = GaugeMetricFamily(
            "topup_runway_days",
            "Days until the balance runs out at the 7-day spend.",
            labels=LABELS,
        )
        spend = GaugeMetricFamily(
            "topup_spend_per_day", "Spend per day over the last 7 days.", labels=LABELS
        )
        success = GaugeMetricFamily(
            "topup_last_success_timestamp_seconds",
            "Unix time of the last check that answered with the account's state.",
            labels=LABELS,
        )
        last_check = GaugeMetricFamily(
            "topup_last_check_timestamp_seconds", "Unix time of the last check.", labels=LABELS
        )
        duration = GaugeMetricFamily(
            "topup_check_duration_seconds", "Wall time of the last check.", labels=LABELS
        )
        stale = GaugeMetricFamily(
            "topup_stale", "1 when the last good value is older than allowed.", labels=LABELS
        )
        low = GaugeMetricFamily(
            "topup_low",
            "1 when the balance is below the account's min_balance, or it is exhausted.",
            labels=LABELS,
        )
        needs = GaugeMetricFamily(
            "topup_attention",
            "1 when the account needs attention (failing, exhausted, low, short runway, "
            "a nearly used quota window, stale).",
            labels=LABELS,
        )
        checks = CounterMetricFamily(
            "topup_checks", "Stored checks by outcome.", labels=[*LABELS, "status"]
        )
        window_left = GaugeMetricFamily(
            "topup_window_left_percent",
            "How much of a quota window is left, 0-100 (coding plans).",
            labels=[*LABELS, "window"],
        )
        window_resets = GaugeMetricFamily(
            "topup_window_resets_timestamp_seconds",
            "Unix time a quota window resets.",
            labels=[*LABELS, "window"],
        )
        key_limit = GaugeMetricFamily(
            "topup_key_limit", "A key's spending limit (per its period).", labels=LABELS
        )
        views = self.documents.snapshot().views
        counts = self.counts.read()
        by_account: dict[str, list[tuple[str, int]]] = {}
        for (name, status), count in counts.items():
            by_account.setdefault(name, []).append((status, count))
        for v in views:
            labels = [v.name, v.provider, v.currency or ""]
            point = v.last_good
            if point is not None and not point.unlimited:
                for entry in point.entries():  # one series per currency the account holds
                    if entry.balance is not None:
                        balance.add_metric([v.name, v.provider, entry.currency], _f(entry.balance))
                if not point.entries() and point.balance is not None:  # a unit nobody named
                    balance.add_metric(labels, _f(point.balance))
                if point.used is not None:
                    used.add_metric(labels, _f(point.used))
                if point.limit is not None:
                    key_limit.add_metric(labels, _f(point.limit))
            for w in point.windows if point is not None else ():
                if w.left_percent is not None:
                    window_left.add_metric([*labels, w.name], _f(w.left_percent))
                if w.resets_at is not None:
                    window_resets.add_metric([*labels, w.name], w.resets_at.timestamp())
            if v.summary.runway_days is not None:
                runway.add_metric(labels, _f(v.summary.runway_days))
            if v.summary.spend_per_day is not None:
                spend.add_metric(labels, _f(v.summary.spend_per_day))
            if v.last_good_at is not None:
                success.add_metric(labels, v.last_good_at.timestamp())
            check = v.last_check
            if check is not None:
                last_check.add_metric(labels, check.checked_at.timestamp())
                if check.duration is not None:
                    duration.add_metric(labels, check.duration)
            stale.add_metric(labels, 1.0 if v.stale else 0.0)
            low.add_metric(labels, 1.0 if v.attention.low else 0.0)
            needs.add_metric(labels, 1.0 if v.attention.needed else 0.0)
            for status, count in sorted(by_account.get(v.name, [])):
                checks.add_metric([*labels, status], count)
        yield from (balance, used, runway, spend, success, last_check, duration, stale, checks)
        yield from (window_left, window_resets, key_limit, low, needs)


class Metrics:
    """The registry behind ``/metrics`` (its own, not the process-global default).

    The text is kept until the index changes (:attr:`Board.version`: every stored check moves
    it) or a ``stale`` flag flips with the clock.
    """

    def __init__(self, board: Board, documents: Documents | None = None) -> None:
        self.documents = documents or Documents(board)
        self.registry = CollectorRegistry(auto_describe=False)
        self.counts = CheckCounts(board.store)
        self.registry.register(TopupCollector(self.documents, self.counts))
        self._lock = threading.Lock()
        self._cached: tuple[int, object, bytes] | None = None

    def render(self) -> bytes:
        snap = self.documents.snapshot()
        with self._lock:
            if self._cached is not None and self._cached[:2] == (snap.version, snap.until):
                return self._cached[2]
            text = generate_latest(self.registry)
            self._cached = (snap.version, snap.until, text)
        self.documents.served()
        return text
