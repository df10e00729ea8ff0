"""Database rows as the store's records, and the small helpers every query shares."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Row

from topup.model import AMOUNT_FIELDS, Amounts, Status
from topup.storage.records import BalancePoint, CheckRecord, StoredAccount

#: Names, ids or rows per ``IN (...)`` query.
CHUNK = 500

_T = TypeVar("_T")


def utc(value: datetime | None) -> datetime | None:
    """``value`` in UTC; a naive datetime is refused (the store keeps aware UTC only)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: topup stores timezone-aware UTC only")
    return value.astimezone(UTC)


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def amount_values(row: Row[Any], prefix: str = "") -> dict[str, Any]:
    """The amounts of a ``balances`` row (its columns optionally labelled ``<prefix><name>``)."""
    col = row._mapping
    return {name: col[f"{prefix}{name}"] for name in AMOUNT_FIELDS}


def amounts_of(row: Row[Any]) -> Amounts:
    """The amounts of a ``balances`` row, comparable with :meth:`Amounts.amounts`."""
    return Amounts(**amount_values(row))


def point(account: str, row: Row[Any], prefix: str = "") -> BalancePoint:
    """A ``balances`` row (its columns optionally labelled ``<prefix><name>``) as a point."""
    return BalancePoint(
        account=account, at=row._mapping[f"{prefix}at"], **amount_values(row, prefix)
    )


def stored_account(row: Row[Any]) -> StoredAccount:
    return StoredAccount(
        name=row.name,
        provider=row.provider,
        fingerprint=row.fingerprint,
        currency=row.currency,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def check(account: str, row: Row[Any]) -> CheckRecord:
    return CheckRecord(
        account=account,
        checked_at=row.checked_at,
        status=Status(row.status),
        message=row.message,
        duration=seconds(row.duration_ms),
    )
