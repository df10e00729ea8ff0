"""Expected quota windows in the coding plans' cases: compared field by field, only the fields
named, so one expectation serves the recorded replay and the staged imitation (whose reset times
follow the clock). Amounts are decimal strings, times ISO 8601, as in every case's ``expect``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from topup.model import QuotaWindow


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(actual, Decimal):
        return expected is not None and Decimal(str(expected)) == actual
    if isinstance(actual, datetime):
        return expected is not None and datetime.fromisoformat(str(expected)) == actual
    return bool(expected == actual)


class Windows:
    """``windows`` equal to these, in order: each a mapping of QuotaWindow fields to values."""

    def __init__(self, *expected: Mapping[str, Any]) -> None:
        self.expected = expected

    def __eq__(self, actual: object) -> bool:
        if not isinstance(actual, Sequence) or len(actual) != len(self.expected):
            return False
        return all(
            isinstance(window, QuotaWindow)
            and all(_same(value, getattr(window, name)) for name, value in fields.items())
            for fields, window in zip(self.expected, actual, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Windows{self.expected!r}"
