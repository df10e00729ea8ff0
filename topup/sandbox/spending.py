"""Spend rates in the sandbox: balances that fall over time, in exact integer maths.

A rate is money per hour; what it has cost so far is counted in the platform's smallest unit
(its imitation's ``units_per_money``) and folded into the stored amounts only on a change, so
the not-yet-rounded remainder is never lost however many admin calls there are.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from topup.sandbox.imitation import get_imitation
from topup.sandbox.records import Record, SandboxError, Site, money

MICROS_PER_HOUR = 3_600_000_000


class SpendRates:
    """The spend-rate half of :class:`~topup.sandbox.state.SandboxState`."""

    if TYPE_CHECKING:
        clock: Callable[[], datetime]
        sites: dict[str, Site]
        _lock: threading.RLock
        _clock_lock: threading.Lock
        _high_water: datetime | None

        def site(self, name: str) -> Site: ...
        def account(self, site: str, id: str | int) -> Any: ...
        def key(self, site: str, key: str) -> Any: ...
        def _save(self, rec: Record) -> None: ...

    def _now(self) -> datetime:
        """The state's clock, never going backwards (a wall-clock step back freezes time
        for spend rates instead of raising balances)."""
        now = self.clock()
        with self._clock_lock:
            if self._high_water is not None and now < self._high_water:
                return self._high_water
            self._high_water = now
            return now

    def now_ts(self) -> int:
        """Unix seconds on the state's (injectable) clock: key and token expiry."""
        return int(self.clock().timestamp())

    @staticmethod
    def _elapsed_micros(since: datetime | None, now: datetime) -> int:
        if since is None:
            return 0
        delta = now - since
        micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
        return max(micros, 0)

    def _rate_due(self, rec: Record, now: datetime) -> int:
        """Units the spend rate has cost since ``rate_since`` but not yet folded in.

        Exact integer maths: ``floor(rate * scale * micros / micros_per_hour)`` with the rate
        as an integer ratio (multiply before dividing), minus what was already folded in.
        """
        if rec.spend_rate == 0 or rec.rate_since is None:
            return 0
        num, den = rec.spend_rate.as_integer_ratio()
        scale = get_imitation(self.sites[rec.site].dialect).units_per_money(
            self.sites[rec.site], rec
        )
        micros = self._elapsed_micros(rec.rate_since, now)
        total = (num * scale * micros) // (den * MICROS_PER_HOUR)
        return max(total - rec.rate_spent, 0)

    def current(self, rec: Any, now: datetime | None = None) -> Any:
        """The record as it is now: a copy with the spend rate's effect so far applied."""
        due = self._rate_due(rec, now or self._now())
        if not due:
            return rec
        view = copy.copy(rec)
        view.take(due)
        return view

    def _materialize(self, rec: Record, now: datetime) -> None:
        """Fold the spend rate's effect so far into the stored amounts. The clock keeps
        running: only the whole units folded in are recorded (``rate_spent``), so the
        not-yet-rounded remainder is never dropped however many admin calls there are."""
        if rec.spend_rate == 0 or rec.rate_since is None:
            rec.rate_since = None
            rec.rate_spent = 0
            return
        due = self._rate_due(rec, now)
        if due == 0:
            return
        rec.take(due)
        rec.rate_spent += due

    def _target(self, site: str, account: str | int | None, key: str | None) -> Record:
        if (account is None) == (key is None):
            raise SandboxError("give exactly one of account or key")
        if key is not None:
            rec: Record = self.key(site, key)
            return rec
        assert account is not None
        found: Record = self.account(site, account)
        return found

    def set_balance(
        self, site: str, *, account: str | int | None = None, key: str | None = None, **fields: Any
    ) -> Any:
        """Set amounts; ``fields`` are the platform's (see its imitation)."""
        with self._lock:
            rec = self._target(site, account, key)
            s = self.site(site)
            self._materialize(rec, self._now())
            get_imitation(s.dialect).set_balance(s, rec, fields)
            self._save(rec)
        return rec

    def spend(
        self, site: str, *, account: str | int | None = None, key: str | None = None, **fields: Any
    ) -> Any:
        """Spend now; ``fields`` are the platform's (an ``amount`` of money, raw units...)."""
        with self._lock:
            rec = self._target(site, account, key)
            s = self.site(site)
            imitation = get_imitation(s.dialect)
            spend = imitation.validate_spend(s, rec, fields)
            self._materialize(rec, self._now())
            imitation.spend(s, rec, spend)
            self._save(rec)
        return rec

    def set_spend_rate(
        self,
        site: str,
        *,
        per_hour: Decimal | str | int,
        account: str | int | None = None,
        key: str | None = None,
    ) -> Any:
        """Make a balance fall by ``per_hour`` money every hour (0 stops it)."""
        rate = money(per_hour, "per_hour")
        if rate < 0:
            raise SandboxError("spend rate must not be negative")
        with self._lock:
            rec = self._target(site, account, key)
            now = self._now()
            self._materialize(rec, now)
            if rate != rec.spend_rate or rec.rate_since is None:
                rec.spend_rate = rate
                rec.rate_since = now if rate != 0 else None
                rec.rate_spent = 0
            self._save(rec)
        return rec
