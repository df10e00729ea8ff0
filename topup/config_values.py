"""The values of an ``[[accounts]]`` table that need more than a type check: exact decimal
numbers, durations, and what every platform requires of an account (its base URL, the
credentials of one of its modes), each problem a located :class:`~topup.errors.ConfigError` in
the reader's language through the ``error`` of :func:`topup.config.build_account`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from topup.credentials import ErrorAt
from topup.durations import parse_duration
from topup.errors import ConfigError
from topup.i18n import gettext as _

if TYPE_CHECKING:
    from topup.account import Account
    from topup.platforms.base import Provider

__all__ = ["decimal_setting", "require", "seconds_setting"]


def require(
    provider: type[Provider], account: Account, present: frozenset[str], error: ErrorAt
) -> None:
    """What the platform requires of the account (:meth:`Provider.validate`: a base URL when it
    has no default, the credentials of one of its modes), as a located error."""
    try:
        provider.validate(account, present)
    except ConfigError as exc:
        raise error(exc.message, exc.hint) from None


def decimal_setting(
    raw: Mapping[str, Any], key: str, error: ErrorAt, positive: bool = False
) -> Decimal | None:
    """``raw[key]`` as an exact Decimal (None: not set), or ``error(...)`` raised."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise error(_("{key} must be a number").format(key=key), key=key)
    try:
        number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise error(
            _("{key} must be a number, got {value}").format(key=key, value=repr(value)),
            _("e.g. {example}").format(example=f'{key} = "5"'),
            key=key,
        ) from None
    if not number.is_finite() or (positive and number <= 0):
        what = _("{key} must be a positive number") if positive else _("{key} must be a number")
        raise error(what.format(key=key), key=key)
    return number


def seconds_setting(raw: Mapping[str, Any], key: str, error: ErrorAt) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    seconds = parse_duration(value)
    if seconds is None or seconds <= 0:
        raise error(
            _("{key} must be a positive duration").format(key=key),
            _("e.g. {example} or {other}").format(example=f'{key} = "15m"', other="900"),
            key=key,
        )
    return seconds
