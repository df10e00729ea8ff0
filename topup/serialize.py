"""Results as JSON and CSV: the stable, documented interface scripts rely on.

Amounts are decimal strings (never floats) or null; times are ISO 8601 in UTC; the field names
and their order are :data:`topup.model.RESULT_FIELDS`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
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


#: Values :func:`json_value` hands on as they are (exact types: enums are converted).
_AS_IS = frozenset({str, int, bool, float, type(None)})


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(record: Any) -> tuple[str, ...]:
    """The field names of a record (a dataclass instance), looked up once per class."""
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in fields(record))
    return names


def json_value(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return list(value)  # a list of names (attention)
    if isinstance(value, tuple):  # a list of records (balances, windows)
        return [{name: json_value(getattr(v, name)) for name in _field_names(v)} for v in value]
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
    return indented_json(document)


#: Most keys remembered per depth by :func:`indented_json`.
MAX_HEADS = 256


class _Unsupported(Exception):
    """A value :func:`indented_json` leaves to :func:`json.dumps`."""


def indented_json(document: Any) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)``, the same text, written without
    the standard library's pure-Python indenting encoder (it cannot use its C encoder once
    ``indent`` is set: a third of a 10,000-account ``topup check --json``). Strings go through
    the C string encoder; anything unusual (keys that are not strings, other types) is left to
    :func:`json.dumps` itself, so its output and errors stay the reference."""
    out: list[str] = []
    try:
        _write(document, "\n", out)
    except (_Unsupported, RecursionError):  # RecursionError: a value that contains itself
        return json.dumps(document, ensure_ascii=False, indent=2)
    return "".join(out)


_string = json.encoder.encode_basestring


def _write(value: Any, newline: str, out: list[str]) -> None:
    """``value`` as ``json.dumps(..., indent=2)`` writes it at the depth whose line break and
    indentation is ``newline``."""
    scalar = _scalar(value)
    if scalar is not None:
        out.append(scalar)
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        heads = _heads(inner)
        first = True
        for key, item in value.items():
            head = heads.get(key)
            if head is None:
                if type(key) is not str:
                    raise _Unsupported
                head = "," + inner + _string(key) + ": "
                if len(heads) < MAX_HEADS:
                    heads[key] = head
            if first:
                head = "{" + head[1:]
                first = False
            if type(item) is str:  # the common cases, without a call
                out.append(head + _string(item))
            elif item is None:
                out.append(head + "null")
            else:
                out.append(head)
                _write(item, inner, out)
        out.append(newline + "}")
    else:
        raise _Unsupported


@functools.cache
def _heads(inner: str) -> dict[str, str]:
    """``,`` + line break and indentation + key + ``: `` by key, for one depth (results share
    their keys: each is encoded once)."""
    return {}


def _scalar(value: Any) -> str | None:
    """A JSON scalar's text (None: not a scalar)."""
    if isinstance(value, str):
        return str(_string(value))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


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
