"""Results as JSON and CSV: the stable, documented interface scripts rely on.

Amounts are decimal strings (never floats) or null; times are ISO 8601 in UTC; the field names
and their order are :data:`topup.model.RESULT_FIELDS`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, get_origin

from topup.model import RESULT_FIELDS, Amounts, CheckResult, split_optional


def decimal_str(value: Decimal) -> str:
    """A Decimal as a plain string, never in exponent form (``1E+2`` → ``100``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") if value == value.to_integral_value() else text
    return "0" if text in ("-0", "") else text


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_value(value: Any) -> Any:
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return list(value)  # a list of names (attention)
    if isinstance(value, tuple):  # a list of records (balances, windows)
        return [{f.name: json_value(getattr(v, f.name)) for f in fields(v)} for v in value]
    if isinstance(value, Decimal):
        return decimal_str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Enum):
        return value.value
    return value


def json_type(hint: Any) -> Any:
    """The JSON type :func:`json_value` turns a value of type ``hint`` into (``X | None`` stays
    optional): decimals, times and enums become strings, lists of records lists of objects,
    other types stay as they are."""
    if get_origin(hint) is tuple:
        return list[dict[str, Any]]
    inner, optional = split_optional(hint)
    if optional:
        return json_type(inner) | None
    if isinstance(hint, type) and issubclass(hint, Decimal | datetime | Enum):
        return str
    return hint


def amounts_dict(amounts: Amounts) -> dict[str, Any]:
    """The amounts as JSON values, named and ordered as :data:`topup.model.AMOUNT_FIELDS`."""
    return {name: json_value(value) for name, value in amounts.amount_values().items()}


def result_dict(result: CheckResult) -> dict[str, Any]:
    return {name: json_value(getattr(result, name)) for name in RESULT_FIELDS}


def results_json(results: Iterable[CheckResult], checked_at: datetime) -> str:
    document = {"checked_at": iso(checked_at), "results": [result_dict(r) for r in results]}
    return json.dumps(document, ensure_ascii=False, indent=2)


def csv_cell(value: Any) -> str:
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, list):  # balances, windows, attention: one JSON-encoded cell
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def results_csv(results: Iterable[CheckResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RESULT_FIELDS)
    for result in results:
        writer.writerow([csv_cell(getattr(result, name)) for name in RESULT_FIELDS])
    return buffer.getvalue()
