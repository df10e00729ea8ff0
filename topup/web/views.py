"""The dashboard's index: what the pages, the API and the metrics show, kept in memory and
current (never from secrets).

:class:`Board` is an index of every configured account: its latest state (the store's last
check and last good value) and its 7-day summary (:mod:`topup.web.trends`: sparkline, 24 h /
7 d change, spend per day, runway). It is built once from bulk queries and then kept current
as checks are written: each request first compares the store's highest ``checks.id`` with the
one it has seen (one indexed lookup), and re-reads only the accounts with new checks, so it
also follows other processes writing to the same database. Summaries of many accounts are
(re)computed by a background thread, streaming the history a batch of accounts at a time,
while the previous ones (or none yet: unknown, never zero) are served; at the start they wait
for the first page to be served (:attr:`Board.first_served`), so the first visitor does not
share the CPU with them. Every change bumps :attr:`Board.version`, which the API and
``/metrics`` use to cache what they serialise (and they keep each account's serialised form
while its state and summary are the same objects). What one account's view holds, and the
totals, are :mod:`topup.web.account_view`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from topup.account import Account
from topup.attention import stale_after
from topup.storage import AccountState, Store
from topup.web.account_view import AccountView, attention_of
from topup.web.trends import (
    DAY,
    EMPTY,
    PENDING,
    WEEK,
    Summary,
    daily_spend,
    samples,
    summarize,
    usable,
    value_at,
)

__all__ = [
    "DAY",
    "EMPTY",
    "WEEK",
    "Board",
    "Summary",
    "daily_spend",
    "summarize",
    "usable",
    "value_at",
]

log = logging.getLogger("topup.web")

#: Summaries are recomputed this often (the 24 h and 7 d windows move with the clock).
SUMMARY_TTL = timedelta(minutes=10)
#: Up to this many summaries are computed in the request that needs them; more go to the
#: background thread (the first ones of a large deployment, a watcher round's changes).
BACKGROUND_THRESHOLD = 200
#: Seconds the background work of the start waits for the first page to be served.
FIRST_PAGE_WAIT = 5.0
#: Summaries computed in the background are published (made visible) this often, in seconds.
PUBLISH_EVERY = 3.0
#: Check ids re-read below the highest one seen, for checks that commit out of id order
#: (several writers on PostgreSQL).
ID_SLACK = 1000


class Board:
    """The index the web app reads; thread-safe (routes run in a thread pool)."""

    def __init__(
        self,
        store: Store,
        accounts: Sequence[Account],
        *,
        clock: Callable[[], datetime] | None = None,
        stale_after: timedelta | None = None,
    ) -> None:
        self.store = store
        self.accounts = {a.name: a for a in accounts}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.stale_after = stale_after
        #: Grows whenever a state or summary changes.
        self.version = 0
        self._lock = threading.Lock()
        self._sync = threading.Lock()
        self._states: dict[str, AccountState] = {}
        self._summaries: dict[str, Summary] = {}
        self._computed_at: datetime | None = None
        self._mark: int | None = None
        self._seen: set[int] = set()
        self._queue: set[str] = set()
        self._worker: threading.Thread | None = None
        #: Set once the first document (page, API answer, metrics) was built: the background
        #: work of the start (every summary, counting the stored checks) waits for it, up to
        #: :data:`FIRST_PAGE_WAIT`, so the first visitor does not share the CPU with it.
        self.first_served = threading.Event()

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def stale_limit(self, account: Account) -> timedelta:
        if self.stale_after is not None:
            return self.stale_after
        return stale_after(account)

    # -- keeping the index current ------------------------------------------------------

    def sync(self) -> None:
        """Bring the index up to date with the store; one indexed lookup when nothing changed."""
        with self._sync:
            mark = self.store.check_mark()
            now = self.now()
            if self._mark is None:
                # The recent ids the full read covers (read first: a check committed after
                # this is re-read at the next request, never missed).
                recent = self.store.checks_above(max(0, mark - ID_SLACK))
                states = self.store.latest()
                changed = list(self.accounts)
                self._seen = {i for i, _, _ in recent if i <= mark}
            elif mark != self._mark:
                rows = self.store.checks_above(max(0, self._mark - ID_SLACK))
                new = {n for i, n, _ in rows if i not in self._seen and n in self.accounts}
                self._seen.update(i for i, _, _ in rows)
                changed = sorted(new)
                states = self.store.latest(changed) if changed else []
            else:
                changed, states = [], []
            floor = max(0, mark - ID_SLACK)
            self._seen = {i for i in self._seen if i > floor}
            self._mark = mark
            if changed:
                with self._lock:
                    self._states.update((s.account.name, s) for s in states)
                    self.version += 1
                self._summarize(changed, now)
            elif self._computed_at is not None and now - self._computed_at >= SUMMARY_TTL:
                self._summarize(list(self.accounts), now)

    def notify(self) -> None:
        """Checks were written (the watcher's hook): the next request re-reads them."""
        with self._lock:
            self.version += 1

    def _summarize(self, names: list[str], now: datetime) -> None:
        """Recompute the summaries of ``names`` that have a good value: now if few, else in
        the background (the previous summaries, or :data:`PENDING`, are served meanwhile)."""
        with self._lock:
            wanted = [n for n in names if (s := self._states.get(n)) and s.last_good is not None]
            if self._computed_at is None or len(names) == len(self.accounts):
                self._computed_at = now
            if len(wanted) <= BACKGROUND_THRESHOLD and self._worker is None:
                run_now = wanted
            else:
                run_now = []
                for name in wanted:
                    self._summaries.setdefault(name, PENDING)
                self._queue.update(wanted)
                if self._worker is None:
                    self._worker = threading.Thread(target=self._background, daemon=True)
                    self._worker.start()
        if run_now:
            self._compute(run_now, now)

    def _compute(self, names: Sequence[str], now: datetime) -> None:
        """Summaries of ``names``, published every :data:`PUBLISH_EVERY` seconds (each
        publication moves :attr:`version`, so the cached documents are rebuilt: not per
        account, nor per batch of a large deployment)."""
        fresh: dict[str, Summary] = {}
        published = time.monotonic()
        for name, rows in self.store.trend_points(now - WEEK, names):
            fresh[name] = summarize(samples(rows), now, spark=False)
            if time.monotonic() - published >= PUBLISH_EVERY:
                self._publish(fresh)
                fresh = {}
                published = time.monotonic()
        self._publish(fresh)

    def _publish(self, fresh: dict[str, Summary]) -> None:
        with self._lock:
            self._summaries.update(fresh)
            self.version += 1

    def _background(self) -> None:
        self.first_served.wait(FIRST_PAGE_WAIT)
        self.first_served.set()  # only the start waits
        while True:
            with self._lock:
                names = sorted(self._queue)
                self._queue.clear()
                if not names:
                    self._worker = None
                    return
            try:
                self._compute(names, self.now())
            except Exception:  # the store went away; the next change or TTL tries again
                log.exception("dashboard: could not compute %d summaries", len(names))
                with self._lock:
                    self._worker = None
                    self._computed_at = None if self._mark is None else self._computed_at
                return

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for the background summaries (tests, benchmarks); True when none are left.
        They start at once (without waiting for a first page)."""
        self.first_served.set()
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return self._worker is None

    # -- reading it ---------------------------------------------------------------------

    def _view(self, account: Account, now: datetime) -> AccountView:
        state = self._states.get(account.name)
        summary = EMPTY
        if state is not None and state.last_good is not None:
            summary = self._summaries.get(account.name, PENDING)
        at = None if state is None else state.last_good_at
        stale = at is None or now - at > self.stale_limit(account)
        needs = attention_of(account, state, summary, stale=stale)
        return AccountView(account, state, summary, stale, now, needs)

    def views(self) -> list[AccountView]:
        """Every configured account, in config order."""
        self.sync()
        now = self.now()
        with self._lock:
            return [self._view(a, now) for a in self.accounts.values()]

    def view(self, name: str) -> AccountView | None:
        account = self.accounts.get(name)
        if account is None:
            return None
        self.sync()
        with self._lock:
            return self._view(account, self.now())

    def stale_flips(self, now: datetime) -> datetime | None:
        """The next time an account's ``stale`` flag changes by the clock alone (caches of the
        serialised views are good until then, or until :attr:`version` moves)."""
        with self._lock:
            times = [
                s.last_good_at + self.stale_limit(a)
                for a in self.accounts.values()
                if (s := self._states.get(a.name)) is not None and s.last_good_at is not None
            ]
        later = [t for t in times if t >= now]
        return min(later) if later else None
