"""The typed, frozen rows the store hands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from topup.model import Amounts, Status

AlertKind = Literal["fired", "recovered"]


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """An account as the store recorded it (not :class:`topup.account.Account`, the configured
    one). ``fingerprint`` identifies the credential, never is it."""

    name: str
    provider: str
    fingerprint: str | None
    currency: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One stored check (outcome only; amounts live in :class:`BalancePoint`)."""

    account: str
    checked_at: datetime
    status: Status
    message: str | None
    #: Wall time of the check in seconds (millisecond resolution), if known.
    duration: float | None


@dataclass(frozen=True, slots=True)
class BalancePoint(Amounts):
    """The amounts a good check saw, stored when they changed (or as an hourly heartbeat).

    A point holds until the next point of the same account: every good check between two
    points saw exactly these values. The amounts are keyword arguments.
    """

    account: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AccountState:
    """The latest state of one account: its last check and its last good value.

    When the last check failed, ``last_good`` is still the last value a good check saw, and
    ``last_good_at`` the time of the last good check that confirmed it (its age is
    ``now - last_good_at``).
    """

    account: StoredAccount
    last_check: CheckRecord | None
    last_good: BalancePoint | None
    last_good_at: datetime | None

    def age(self, now: datetime) -> timedelta | None:
        """How old the last good value is at ``now``."""
        return None if self.last_good_at is None else now - self.last_good_at


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One alert that was sent (or one recovery notice)."""

    account: str
    rule: str
    kind: AlertKind
    at: datetime
    message: str | None


@dataclass(frozen=True, slots=True)
class AlertState:
    """The persisted state of one alert rule for one account (opaque text, e.g. JSON)."""

    account: str
    rule: str
    state: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """What :meth:`Store.record` wrote: checks always, balance points only on change."""

    checks: int
    points: int
