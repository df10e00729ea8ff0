"""What the pages, the API and the metrics show, built from the store (never from secrets).

:class:`Board` joins the configured accounts with the store's latest state and a short-lived
per-account summary of the last 7 days (sparkline points, 24 h / 7 d change, spend per day and
runway from :mod:`topup.burn`). Summaries are cached until the account's newest balance point
changes or :data:`SUMMARY_TTL` passes, so a page of 10,000 accounts does not re-read a week of
history per account on every request. When thousands are outdated at once, the previous
summaries keep being served while a background thread recomputes them (stale while revalidate).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, Literal

from markupsafe import Markup

from topup import burn
from topup.account import Account
from topup.model import RESULT_FIELDS, Amounts, CheckResult, Status
from topup.serialize import amounts_dict, decimal_str, iso, result_dict
from topup.storage import AccountState, BalancePoint, Store
from topup.web.charts import sparkline

log = logging.getLogger("topup.web")

#: How long a computed 7-day summary is reused while the account's history is unchanged.
SUMMARY_TTL = timedelta(minutes=5)
#: Without a per-account ``interval``, a last good value older than this is stale.
DEFAULT_STALE_AFTER = timedelta(hours=2)
#: A value is stale after this many check intervals without a good check.
STALE_INTERVALS = 3
#: With this many summaries to recompute, one query reads them all.
BULK_THRESHOLD = 20
#: With this many *outdated* summaries at once (a large deployment after a watcher round),
#: requests are answered with the previous summaries while one background thread recomputes
#: them, instead of waiting for it (about 3 ms per account).
BACKGROUND_THRESHOLD = 500
WEEK = timedelta(days=7)
DAY = timedelta(days=1)

Kind = Literal["ok", "stale", "failing", "never"]
EMPTY_SPARK = sparkline((), datetime.min.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC))


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
    #: The sparkline, drawn once per summary (it is most of a page's rendering time).
    spark_svg: Markup = EMPTY_SPARK


EMPTY = Summary((), None, None, None, None, None)


def usable(points: Iterable[BalancePoint]) -> list[BalancePoint]:
    """Known, limited balances in the latest currency, oldest first."""
    known = [p for p in points if p.balance is not None and not p.unlimited]
    if not known:
        return []
    currency = known[-1].currency
    return [p for p in known if p.currency == currency]


def value_at(points: Sequence[BalancePoint], when: datetime) -> Decimal | None:
    """The balance in effect at ``when`` (the last point at or before it), if known."""
    found: Decimal | None = None
    for p in points:
        if p.at > when:
            break
        found = p.balance
    return found


def summarize(points: Sequence[BalancePoint], now: datetime) -> Summary:
    """Sparkline, changes, spend and runway from a week of points (the prior one included)."""
    good = usable(points)
    if not good:
        return EMPTY
    latest = good[-1].balance
    assert latest is not None
    before_24h = value_at(good, now - DAY)
    before_7d = value_at(good, now - WEEK)
    est = burn.estimate(points, window=WEEK, now=now)  # all points: it knows unlimited keys
    spark = tuple((p.at, p.balance) for p in good if p.balance is not None)
    return Summary(
        spark_svg=sparkline(spark, now - WEEK, now),
        spark=spark,
        change_24h=None if before_24h is None else latest - before_24h,
        change_7d=None if before_7d is None else latest - before_7d,
        spend_per_day=est.spend_per_day,
        runway_days=est.runway_days,
        runs_out_at=est.runs_out_at,
    )


def daily_spend(points: Sequence[BalancePoint]) -> list[tuple[datetime, Decimal]]:
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


@dataclass(frozen=True, slots=True)
class AccountView:
    """One account as the dashboard and the API show it."""

    account: Account
    state: AccountState | None
    result: CheckResult | None
    summary: Summary
    stale: bool
    now: datetime

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
        return None if self.result is None else self.now - self.result.checked_at

    @property
    def currency(self) -> str | None:
        point = self.last_good
        return point.currency if point is not None else self.account.currency

    @property
    def kind(self) -> Kind:
        if self.result is None:
            return "never"
        if self.result.status is not Status.OK:
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
        )
        return out


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
        entries = (
            [] if p is None or p.unlimited else [e for e in p.entries() if e.balance is not None]
        )
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
    """Reads the store for the web app; thread-safe (routes run in a thread pool)."""

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
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[datetime | None, datetime, Summary]] = {}
        self._revalidating: set[str] = set()
        self._worker: threading.Thread | None = None

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def stale_limit(self, account: Account) -> timedelta:
        if self.stale_after is not None:
            return self.stale_after
        if account.interval:
            return max(timedelta(seconds=account.interval * STALE_INTERVALS), timedelta(minutes=5))
        return DEFAULT_STALE_AFTER

    def summary(self, name: str, state: AccountState | None, now: datetime) -> Summary:
        head = None if state is None or state.last_good is None else state.last_good.at
        if head is None:
            return EMPTY
        with self._lock:
            cached = self._cache.get(name)
            revalidating = name in self._revalidating
        if cached is not None and (
            revalidating or (cached[0] == head and now - cached[1] < SUMMARY_TTL)
        ):
            return cached[2]
        points = self.store.balance_history(name, now - WEEK)
        result = summarize(points, now)
        with self._lock:
            self._cache[name] = (head, now, result)
        return result

    def _refresh(self, states: dict[str, AccountState], now: datetime) -> None:
        """Recompute outdated summaries; many at once with one query instead of one each."""
        missing: list[str] = []
        with self._lock:
            for name in self.accounts:
                state = states.get(name)
                if state is None or state.last_good is None:
                    continue
                cached = self._cache.get(name)
                if (
                    cached is None
                    or cached[0] != state.last_good.at
                    or now - cached[1] >= SUMMARY_TTL
                ):
                    missing.append(name)
        if len(missing) < BULK_THRESHOLD:
            return  # few: :meth:`summary` reads them one by one
        with self._lock:
            outdated = [n for n in missing if n in self._cache and n not in self._revalidating]
            never = [n for n in missing if n not in self._cache]
            worker = None
            if len(outdated) >= BACKGROUND_THRESHOLD and self._worker is None:
                self._revalidating.update(outdated)
                worker = self._worker = threading.Thread(
                    target=self._revalidate, args=(outdated, states, now), daemon=True
                )
        if worker is not None:
            worker.start()
            missing = never
        if len(missing) >= BULK_THRESHOLD:
            self._compute(missing, states, now)

    def _compute(self, names: list[str], states: dict[str, AccountState], now: datetime) -> None:
        history = self.store.balance_histories(names, now - WEEK)
        fresh = {}
        for name in names:
            state = states[name]
            assert state.last_good is not None
            fresh[name] = (state.last_good.at, now, summarize(history.get(name, []), now))
        with self._lock:
            self._cache.update(fresh)

    def _revalidate(self, names: list[str], states: dict[str, AccountState], now: datetime) -> None:
        try:
            self._compute(names, states, now)
        except Exception:  # the store went away; the next request tries again
            log.exception("dashboard: could not recompute %d summaries", len(names))
        finally:
            with self._lock:
                self._revalidating.difference_update(names)
                self._worker = None

    def _view(self, account: Account, state: AccountState | None, now: datetime) -> AccountView:
        summary = self.summary(account.name, state, now)
        at = None if state is None else state.last_good_at
        stale = at is None or now - at > self.stale_limit(account)
        return AccountView(account, state, last_result(account, state), summary, stale, now)

    def views(self) -> list[AccountView]:
        """Every configured account, in config order."""
        now = self.now()
        states = {s.account.name: s for s in self.store.latest()}
        self._refresh(states, now)
        return [self._view(a, states.get(a.name), now) for a in self.accounts.values()]

    def view(self, name: str) -> AccountView | None:
        account = self.accounts.get(name)
        if account is None:
            return None
        now = self.now()
        state = next((s for s in self.store.latest() if s.account.name == name), None)
        return self._view(account, state, now)
