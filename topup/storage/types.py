"""Column types that keep topup's invariants on every database.

* :class:`UTCDateTime` stores UTC and always returns timezone-aware UTC datetimes (SQLite has
  no time zones and hands back naive values; they are tagged UTC on the way out).
* :class:`ExactDecimal` stores a :class:`~decimal.Decimal` exactly: unconstrained ``NUMERIC``
  on PostgreSQL (which keeps the value and its scale), the decimal's text on SQLite (whose
  ``NUMERIC`` affinity would go through a binary float). Both return the same ``Decimal``, with
  the same scale (``Decimal("14.000")`` stays ``14.000``); a positive exponent is written out
  (``1E+3`` is stored as ``1000``).

These types are used by the migrations too, so keep them backward compatible.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any, get_args, get_type_hints

from sqlalchemy import DateTime, Dialect, Numeric, Text
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp. Naive datetimes are refused on write."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: topup stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite keeps a fixed-width text form; drop the offset so values sort as text.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(
        self, dialect: Dialect, coltype: Any
    ) -> Callable[[Any], datetime | None] | None:
        """On SQLite, one C call per value: the stored text (UTC, offset dropped) read with
        :meth:`datetime.fromisoformat` and ``+00:00``, the same value SQLAlchemy's regex parser
        and :meth:`process_result_value` give, ~10x faster (reading a week of history of every
        account is mostly this). Any other text (a hand-written offset, a bare date) goes the
        general way."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general
        parse = datetime.fromisoformat

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            try:
                return parse(value + "+00:00")
            except (TypeError, ValueError):
                return general(value)

        return process


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC on PostgreSQL, text on SQLite. NaN and infinities refused."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__}: money is never float")
        if not value.is_finite():
            raise ValueError(f"cannot store non-finite amount {value!r}")
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            # PostgreSQL has no positive exponents (1E+3 comes back as 1000): write every
            # database the same plain integer form.
            with localcontext(prec=max(28, len(value.as_tuple().digits) + exponent)):
                value = value.quantize(Decimal(1))
        if dialect.name == "sqlite":
            return str(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str):
            try:
                return Decimal(value)
            except InvalidOperation as exc:  # pragma: no cover - only a hand-edited database
                raise ValueError(f"stored amount {value!r} is not a decimal") from exc
        # A value written by another tool into a NUMERIC column: go through its text form.
        return Decimal(str(value))

    def result_processor(
        self, dialect: Dialect, coltype: Any
    ) -> Callable[[Any], Decimal | None] | None:
        """On SQLite (text), the decimal straight from its text; otherwise the general way."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general

        def process(value: Any) -> Decimal | None:
            if value is None:
                return None
            if type(value) is str:
                try:
                    return Decimal(value)
                except InvalidOperation:
                    pass
            return general(value)

        return process


class RecordList(TypeDecorator[tuple[Any, ...]]):
    """A tuple of small frozen dataclasses (a result's ``balances`` or ``windows``) as JSON
    text: Decimals as exact strings, datetimes as ISO 8601; an empty tuple is NULL."""

    impl = Text
    cache_ok = True

    def __init__(self, item: type[Any]) -> None:
        super().__init__()
        self.item = item

    def process_bind_param(self, value: tuple[Any, ...] | None, dialect: Dialect) -> str | None:
        if not value:
            return None
        return json.dumps(
            [{f.name: _encode(getattr(v, f.name)) for f in fields(v)} for v in value],
            separators=(",", ":"),
        )

    def process_result_value(self, value: str | None, dialect: Dialect) -> tuple[Any, ...]:
        if not value:
            return ()
        hints = get_type_hints(self.item)
        return tuple(
            self.item(**{k: _decode(v, hints[k]) for k, v in item.items() if k in hints})
            for item in json.loads(value)
        )


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _decode(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    if Decimal in get_args(hint) or hint is Decimal:
        return Decimal(value)
    if datetime in get_args(hint) or hint is datetime:
        return datetime.fromisoformat(value)
    return value
