"""Decimal helpers and a tiny JSON encoder that writes Decimals as exact JSON numbers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def utcnow() -> datetime:
    return datetime.now(UTC)


def dec(value: object) -> Decimal:
    """Decimal from a str/int/Decimal (never from a float)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool | float):
        raise TypeError("money must be given as str, int or Decimal, not float/bool")
    if isinstance(value, int | str):
        return Decimal(value)
    raise TypeError(f"not a money amount: {value!r}")


def plain(value: Decimal) -> str:
    """Shortest exact decimal text, never in exponent form: 100, 0.3, -0.01."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def money_text(value: Decimal) -> str:
    """SiliconFlow-style amount string: at least two decimals ("88.00", "-0.01", "0.1234")."""
    if value.as_tuple().exponent >= -2:  # type: ignore[operator]
        return format(value.quantize(CENT), "f")
    return format(value, "f")


def to_quota(amount: Decimal, quota_per_unit: int) -> int:
    return int((amount * quota_per_unit).to_integral_value(rounding=ROUND_HALF_UP))


def floor4(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


def _encode(obj: Any, out: list[str]) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, int):
        out.append(str(obj))
    elif isinstance(obj, Decimal):
        out.append(plain(obj))
    elif isinstance(obj, Mapping):
        out.append("{")
        first = True
        for key, value in obj.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(value, out)
        out.append("}")
    elif isinstance(obj, Sequence):
        out.append("[")
        for i, value in enumerate(obj):
            if i:
                out.append(",")
            _encode(value, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(obj).__name__}")


def dumps(obj: Any) -> bytes:
    """JSON bytes; Decimals become exact JSON numbers (no float noise)."""
    out: list[str] = []
    _encode(obj, out)
    return "".join(out).encode("utf-8")
