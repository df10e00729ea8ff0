"""What the pages, the API and the metrics show, kept in memory (never from secrets).

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
while its state and summary are the same objects).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from topup.account import Account
from topup.attention import Attention, assess
from topup.model import RESULT_FIELDS, Amounts, CheckResult, Status
from topup.serialize import amounts_dict, iso, result_dict
from topup.storage import AccountState, BalancePoint, CheckRecord, Store
from topup.web.trends import (
    DAY,
    EMPTY,
    PENDING,
    WEEK,
    Summary,
    _dec,
    _q,
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
    "AccountView",
    "Board",
    "Summary",
    "daily_spend",
    "summarize",
    "totals",
    "usable",
    "value_at",
]

log = logging.getLogger("topup.web")

#: Summaries are recomputed this often (the 24 h and 7 d windows move with the clock).
SUMMARY_TTL = timedelta(minutes=10)
#: Without a per-account ``interval``, a last good value older than this is stale.
DEFAULT_STALE_AFTER = timedelta(hours=2)
#: A value is stale after this many check intervals without a good check.
STALE_INTERVALS = 3
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

Kind = Literal["ok", "stale", "failing", "never"]


def point_dict(point: BalancePoint) -> dict[str, Any]:
    return {"at": iso(point.at), **amounts_dict(point)}


def last_result(account: Account, state: AccountState | None) -> CheckResult | None:
    """The account's last check as a :class:`CheckResult` (amounts only when it was good)."""
    if state is None or state.last_check is None:
        return None
    check = state.last_check
    point = state.last_good if check.status.checked else None
    if point is not None and point.at > check.checked_at:
        point = None
    amounts = Amounts() if point is None else point
    return CheckResult(
        account=account.name,
        provider=state.account.provider or account.provider,
        status=check.status,
        checked_at=check.checked_at,
        message=check.message,
        duration=check.duration,
        **amounts.amount_values(),
    )


@dataclass(frozen=True)
class AccountView:
    """One account as the dashboard and the API show it.

    ``attention`` is decided once, when the view is built (:func:`attention_of`); the last
    check as a :class:`CheckResult` (:attr:`result`) only when something asks for it (a page
    shows a hundred of ten thousand accounts).
    """

    account: Account
    state: AccountState | None
    summary: Summary
    stale: bool
    now: datetime
    attention: Attention

    @cached_property
    def result(self) -> CheckResult | None:
        return last_result(self.account, self.state)

    @property
    def last_check(self) -> CheckRecord | None:
        return None if self.state is None else self.state.last_check

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def provider(self) -> str:
        return self.account.provider

    @property
    def last_good(self) -> BalancePoint | None:
        return None if self.state is None else self.state.last_good

    @property
    def last_good_at(self) -> datetime | None:
        return None if self.state is None else self.state.last_good_at

    @property
    def age(self) -> timedelta | None:
        at = self.last_good_at
        return None if at is None else self.now - at

    @property
    def check_age(self) -> timedelta | None:
        check = self.last_check
        return None if check is None else self.now - check.checked_at

    @property
    def currency(self) -> str | None:
        point = self.last_good
        return point.currency if point is not None else self.account.currency

    @property
    def pending(self) -> bool:
        """The 7-day summary is still being computed (its values are unknown, not zero)."""
        return self.summary is PENDING

    @property
    def kind(self) -> Kind:
        check = self.last_check
        if check is None:
            return "never"
        if check.status is not Status.OK:
            return "failing"
        return "stale" if self.stale else "ok"

    def as_json(self) -> dict[str, Any]:
        """The last result in the ``topup check --json`` shape, plus the dashboard's keys.

        An account never checked has ``status`` and ``checked_at`` null (and no amounts).
        """
        if self.result is not None:
            out = result_dict(self.result)
        else:
            out = {name: None for name in RESULT_FIELDS}
            out.update(account=self.name, provider=self.provider, unlimited=False)
        s = self.summary
        out.update(
            last_good=None if self.last_good is None else point_dict(self.last_good),
            last_good_at=None if self.last_good_at is None else iso(self.last_good_at),
            spend_per_day=_dec(_q(s.spend_per_day, "0.000001")),
            runway_days=_dec(_q(s.runway_days, "0.01")),
            runs_out_at=None if s.runs_out_at is None else iso(s.runs_out_at),
            change_24h=_dec(s.change_24h),
            change_7d=_dec(s.change_7d),
            stale=self.stale,
            tags=list(self.account.tags),
            low=self.attention.low,
            attention=self.attention.names(),
        )
        if self.pending:
            out["summary_pending"] = True
        return out


def attention_of(
    account: Account, state: AccountState | None, summary: Summary, *, stale: bool
) -> Attention:
    """What needs attention (:func:`topup.attention.assess`): the last check's status, the
    last good value (for a failing account too), the runway and the ``stale`` flag (also set
    for an account without any good value, never checked included)."""
    check = None if state is None else state.last_check
    return assess(
        account,
        None if check is None else check.status,
        None if state is None else state.last_good,
        runway_days=summary.runway_days,
        stale=stale,
    )


@dataclass(frozen=True, slots=True)
class Total:
    currency: str
    balance: Decimal
    accounts: int


def totals(views: Iterable[AccountView]) -> tuple[list[Total], int]:
    """Sum of the last good balances per currency (every currency an account holds), and how
    many accounts are unknown.

    Unlimited keys, window-only plans and accounts without a known value are not counted (never
    as zero); the last two count as unknown only when nothing at all is known.
    """
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    unknown = 0
    for v in views:
        p = v.last_good
        entries = () if p is None else p.counted()
        if not entries:
            if p is None or not (p.unlimited or p.windows):
                unknown += 1
            continue
        for e in entries:
            assert e.balance is not None
            sums[e.currency] += e.balance
            counts[e.currency] += 1
    return [Total(c, sums[c], counts[c]) for c in sorted(sums)], unknown


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
        if account.interval:
            return max(timedelta(seconds=account.interval * STALE_INTERVALS), timedelta(minutes=5))
        return DEFAULT_STALE_AFTER

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
