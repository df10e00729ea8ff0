"""The one typed model of a balance check.

A check of one account yields one :class:`CheckResult`. Amounts are :class:`~decimal.Decimal`
in the result's ``currency``, or ``None`` when unknown. ``None`` never means zero: a failed check
carries no amounts, and callers keep the last good value with its age.

``currency`` is an ISO 4217 code (``USD``, ``CNY``, ``EUR``...) or, for amounts that are not
money, an upper-case unit code: ``POINTS``, ``CREDITS``, ``REQUESTS``, ``TOKENS``, ``DIEM``.
A platform whose unit is unknown says so with ``currency = None`` rather than guessing.

An account may hold several currencies (:attr:`Amounts.balances`, one :class:`CurrencyBalance`
each) and quota windows that reset (:attr:`Amounts.windows`, coding plans). The flat fields hold
the entry in the account's ``currency`` when set, else the only entry, else stay null
(:func:`flat_entry`): never a silent pick.
"""

from __future__ import annotations

import enum
import functools
import operator
import types
from dataclasses import KW_ONLY, dataclass, field, fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, get_args, get_type_hints


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


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrencyBalance:
    """One currency's amounts in an account that holds several."""

    currency: str
    balance: Decimal | None = None
    granted: Decimal | None = None
    paid: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaWindow:
    """A quota that resets (a coding plan's ``5h``, ``weekly`` or ``monthly`` window).

    ``limit``, ``used`` and ``remaining`` are in the window's own unit (requests, tokens, or
    the plan's points); ``used_percent`` is 0-100. Any of them is None when not given.
    """

    name: str
    limit: Decimal | None = None
    used: Decimal | None = None
    remaining: Decimal | None = None
    used_percent: Decimal | None = None
    resets_at: datetime | None = None

    @property
    def left_percent(self) -> Decimal | None:
        """How much of the window is left, 0-100, from whatever the platform gave."""
        if self.used_percent is not None:
            return max(Decimal(0), Decimal(100) - self.used_percent)
        if self.limit and self.remaining is not None:
            return max(Decimal(0), self.remaining * 100 / self.limit)
        if self.limit and self.used is not None:
            return max(Decimal(0), (self.limit - self.used) * 100 / self.limit)
        return None


#: ``scope`` values: the credential is an account's, or one key's (with its own limit).
SCOPES = ("account", "key")
#: ``period`` values of a key's limit (None: a one-off limit, or none).
PERIODS = ("daily", "weekly", "monthly")


@dataclass(frozen=True, slots=True, kw_only=True)
class Amounts:
    """What one account holds, in one currency: the one list of amount fields.

    :class:`Balance`, :class:`CheckResult` and the stored
    :class:`~topup.storage.BalancePoint` are ``Amounts`` with more fields; the JSON/CSV
    fields (:data:`RESULT_FIELDS`), the history columns and the API schemas are derived from
    :data:`AMOUNT_FIELDS`. A new amount is declared here, once (and, for the history, in a
    new migration). Amounts are passed by keyword (only :class:`Balance` takes its
    ``currency`` by position too).
    """

    currency: str | None = None
    balance: Decimal | None = None
    granted: Decimal | None = None
    paid: Decimal | None = None
    used: Decimal | None = None
    unlimited: bool = False
    request_count: int | None = None
    expires_at: datetime | None = None
    #: Every currency the platform reported (empty when it reports one, in the flat fields).
    balances: tuple[CurrencyBalance, ...] = ()
    #: Quota windows that reset (coding plans).
    windows: tuple[QuotaWindow, ...] = ()
    #: ``account`` or ``key`` (None: not said).
    scope: str | None = None
    #: A key's spending limit, in ``currency``, and the period it resets over.
    limit: Decimal | None = None
    period: str | None = None

    def amounts(self) -> Amounts:
        """Just the amounts, comparable across types (``Decimal`` compares by value)."""
        return Amounts(**self.amount_values())

    def amount_values(self) -> dict[str, Any]:
        """The amounts by field name, in :data:`AMOUNT_FIELDS` order."""
        return {name: getattr(self, name) for name in AMOUNT_FIELDS}

    @property
    def has_value(self) -> bool:
        """True when these are a known value: a currency's amounts, an unlimited key, several
        currencies or quota windows."""
        return (
            self.currency is not None
            or self.balance is not None  # a known amount in a unit the platform does not name
            or self.unlimited
            or bool(self.balances or self.windows)
        )

    def counted(self) -> tuple[CurrencyBalance, ...]:
        """What totals count: every currency with a known balance; nothing for an unlimited key."""
        if self.unlimited:
            return ()
        return tuple(e for e in self.entries() if e.balance is not None)

    def lowest_window(self) -> QuotaWindow | None:
        """The quota window with the least left (among those whose share left is known)."""
        known = [w for w in self.windows if w.left_percent is not None]
        return min(known, key=lambda w: w.left_percent or Decimal(0)) if known else None

    def entries(self) -> tuple[CurrencyBalance, ...]:
        """Every currency's amounts: :attr:`balances`, else the flat fields as one entry."""
        if self.balances:
            return self.balances
        if self.currency is None:
            return ()
        return (
            CurrencyBalance(
                currency=self.currency,
                balance=self.balance,
                granted=self.granted,
                paid=self.paid,
            ),
        )


def flat_entry(
    entries: tuple[CurrencyBalance, ...], preferred: str | None
) -> CurrencyBalance | None:
    """The entry the flat fields show: the account's ``currency`` when set, else the only
    entry, else none (several currencies and no preference: the flat fields stay null)."""
    if preferred:
        return next((e for e in entries if e.currency == preferred.upper()), None)
    return entries[0] if len(entries) == 1 else None


#: The amount fields, in declaration order.
AMOUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Amounts))
#: The type of each amount field (resolved annotations), in declaration order.
AMOUNT_TYPES: dict[str, Any] = {
    name: hint for name, hint in get_type_hints(Amounts).items() if name in AMOUNT_FIELDS
}


def split_optional(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for a type hint ``X | None``, ``(X, False)`` for any other ``X``."""
    if isinstance(hint, types.UnionType) and type(None) in get_args(hint):
        rest = [a for a in get_args(hint) if a is not type(None)]
        return functools.reduce(operator.or_, rest), True
    return hint, False


@dataclass(frozen=True, slots=True)
class Balance(Amounts):
    """What an adapter read from a platform: amounts in one currency, before bookkeeping.

    ``status`` lets an adapter report an account that answered but is exhausted or disabled,
    while still carrying the amounts it saw.
    """

    #: The currency of what it read (None: several currencies or windows only).
    currency: str | None
    _: KW_ONLY
    status: Status = Status.OK
    message: str | None = None

    @classmethod
    def of_entries(
        cls, entries: tuple[CurrencyBalance, ...], preferred: str | None, **rest: Any
    ) -> Balance:
        """Several currencies: all of them in ``balances``, the flat fields from
        :func:`flat_entry` (null when the account has several and names none)."""
        flat = flat_entry(entries, preferred)
        return cls(
            currency=flat.currency if flat else None,
            balance=flat.balance if flat else None,
            granted=flat.granted if flat else None,
            paid=flat.paid if flat else None,
            balances=entries,
            **rest,
        )


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CheckResult(Amounts):
    """One account, one check. Field names are the stable ``--json``/``--csv`` interface.

    ``account``, ``provider`` and ``status`` may be passed by position; everything else is a
    keyword argument.
    """

    account: str
    provider: str
    status: Status
    _: KW_ONLY
    checked_at: datetime = field(default_factory=utcnow)
    message: str | None = None
    #: Wall time the check took, in seconds. Recorded in history; not part of ``--json``.
    duration: float | None = field(default=None, compare=False)
    #: Below its ``min_balance``, exhausted or disabled (:mod:`topup.attention`; None: not
    #: assessed). Derived from the account's settings, so not stored in history.
    low: bool | None = field(default=None, compare=False)
    #: Why the account needs attention, most urgent first (:class:`topup.attention.Need`
    #: values; empty: nothing; None: not assessed).
    attention: tuple[str, ...] | None = field(default=None, compare=False)

    @classmethod
    def from_balance(
        cls,
        account: str,
        provider: str,
        balance: Balance,
        *,
        checked_at: datetime | None = None,
        duration: float | None = None,
        message: str | None = None,
        low: bool | None = None,
        attention: tuple[str, ...] | None = None,
    ) -> CheckResult:
        """What an adapter read, as a result; ``message`` (None: the balance's own) lets the
        caller pass it sanitised, ``low``/``attention`` what :mod:`topup.attention` decided."""
        return cls(
            account=account,
            provider=provider,
            status=balance.status,
            checked_at=checked_at or utcnow(),
            message=balance.message if message is None else message,
            duration=duration,
            low=low,
            attention=attention,
            **{**balance.amount_values(), "balances": balance.entries()},
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


#: The amounts in the interface as first published; amounts declared after these are
#: appended at the end of :data:`RESULT_FIELDS`, so the interface only ever grows at the end.
_PUBLISHED_AMOUNTS = AMOUNT_FIELDS[: AMOUNT_FIELDS.index("expires_at") + 1]

#: The amounts published before ``low`` and ``attention`` were; any declared later follow them.
_BEFORE_ATTENTION = AMOUNT_FIELDS[: AMOUNT_FIELDS.index("period") + 1]

#: The public field order of a result in JSON and CSV. A stable interface: append only.
RESULT_FIELDS: tuple[str, ...] = (
    "account",
    "provider",
    "status",
    *_PUBLISHED_AMOUNTS,
    "checked_at",
    "message",
    *AMOUNT_FIELDS[len(_PUBLISHED_AMOUNTS) : len(_BEFORE_ATTENTION)],
    "low",
    "attention",
    *AMOUNT_FIELDS[len(_BEFORE_ATTENTION) :],
)
