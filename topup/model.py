"""The one typed model of a balance check.

A check of one account yields one :class:`CheckResult`. Amounts are :class:`~decimal.Decimal`
in the result's ``currency`` (an ISO 4217 code), or ``None`` when unknown. ``None`` never means
zero: a failed check carries no amounts, and callers keep the last good value with its age.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal


class Status(enum.StrEnum):
    """Outcome of one check. The values are part of the stable JSON/CSV interface."""

    OK = "ok"
    AUTH_ERROR = "auth_error"
    EXHAUSTED = "exhausted"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    UNREACHABLE = "unreachable"
    ENDPOINT_RETIRED = "endpoint_retired"
    BAD_RESPONSE = "bad_response"
    DISABLED = "disabled"
    CONFIG_ERROR = "config_error"

    @property
    def checked(self) -> bool:
        """True when the platform answered with the account's state (amounts may be present)."""
        return self in _CHECKED

    @property
    def needs_money(self) -> bool:
        """True when the account answered but cannot be used until someone acts."""
        return self in (Status.EXHAUSTED, Status.DISABLED)


_CHECKED = frozenset({Status.OK, Status.EXHAUSTED, Status.DISABLED})


@dataclass(frozen=True, slots=True)
class Balance:
    """What an adapter read from a platform: amounts in one currency, before bookkeeping.

    ``status`` lets an adapter report an account that answered but is exhausted or disabled,
    while still carrying the amounts it saw.
    """

    currency: str
    balance: Decimal | None = None
    granted: Decimal | None = None
    paid: Decimal | None = None
    used: Decimal | None = None
    unlimited: bool = False
    request_count: int | None = None
    expires_at: datetime | None = None
    status: Status = Status.OK
    message: str | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One account, one check. Field names are the stable ``--json``/``--csv`` interface."""

    account: str
    provider: str
    status: Status
    currency: str | None = None
    balance: Decimal | None = None
    granted: Decimal | None = None
    paid: Decimal | None = None
    used: Decimal | None = None
    unlimited: bool = False
    request_count: int | None = None
    expires_at: datetime | None = None
    checked_at: datetime = field(default_factory=utcnow)
    message: str | None = None
    #: Wall time the check took, in seconds. Recorded in history; not part of ``--json``.
    duration: float | None = field(default=None, compare=False)

    @classmethod
    def from_balance(
        cls,
        account: str,
        provider: str,
        balance: Balance,
        *,
        checked_at: datetime | None = None,
        duration: float | None = None,
    ) -> CheckResult:
        return cls(
            account=account,
            provider=provider,
            status=balance.status,
            currency=balance.currency,
            balance=balance.balance,
            granted=balance.granted,
            paid=balance.paid,
            used=balance.used,
            unlimited=balance.unlimited,
            request_count=balance.request_count,
            expires_at=balance.expires_at,
            checked_at=checked_at or utcnow(),
            message=balance.message,
            duration=duration,
        )

    @classmethod
    def failure(
        cls,
        account: str,
        provider: str,
        status: Status,
        message: str,
        *,
        checked_at: datetime | None = None,
        duration: float | None = None,
    ) -> CheckResult:
        return cls(
            account=account,
            provider=provider,
            status=status,
            message=message,
            checked_at=checked_at or utcnow(),
            duration=duration,
        )

    def with_message(self, message: str | None) -> CheckResult:
        return replace(self, message=message)


#: The public field order of a result in JSON and CSV. A stable interface: append only.
RESULT_FIELDS: tuple[str, ...] = (
    "account",
    "provider",
    "status",
    "currency",
    "balance",
    "granted",
    "paid",
    "used",
    "unlimited",
    "request_count",
    "expires_at",
    "checked_at",
    "message",
)
