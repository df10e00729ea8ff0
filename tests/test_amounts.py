"""One value type for the amounts: every result type, field list and format derives from it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, get_args, get_origin

import pytest

from topup.model import (
    AMOUNT_FIELDS,
    AMOUNT_TYPES,
    RESULT_FIELDS,
    Amounts,
    Balance,
    CheckResult,
    CurrencyBalance,
    QuotaWindow,
    Status,
)
from topup.serialize import amounts_dict, json_type, result_dict, results_csv, results_json
from topup.storage import BalancePoint

#: The documented amount fields, in their documented order.
DOCUMENTED_AMOUNTS = (
    "currency",
    "balance",
    "granted",
    "paid",
    "used",
    "unlimited",
    "request_count",
    "expires_at",
)

#: A value, unlike the default, for each type an amount field has.
SAMPLES: dict[type, Any] = {
    str: "EUR",
    Decimal: Decimal("12.50"),
    bool: True,
    int: 42,
    datetime: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
}


#: A value for each list-of-records amount field.
RECORDS: dict[type, Any] = {
    CurrencyBalance: (CurrencyBalance(currency="CNY", balance=Decimal("3")),),
    QuotaWindow: (QuotaWindow(name="weekly", used_percent=Decimal("40")),),
}


def sample_values() -> dict[str, Any]:
    """A non-default value for every amount field, picked by its declared type."""
    out = {}
    for name, hint in AMOUNT_TYPES.items():
        if get_origin(hint) is tuple:  # a list of records
            out[name] = RECORDS[get_args(hint)[0]]
            continue
        (python_type,) = [a for a in get_args(hint) or (hint,) if a is not type(None)]
        out[name] = SAMPLES[python_type]
    return out


def test_the_documented_amounts_come_first_in_declaration_order() -> None:
    assert AMOUNT_FIELDS[: len(DOCUMENTED_AMOUNTS)] == DOCUMENTED_AMOUNTS
    assert tuple(AMOUNT_TYPES) == AMOUNT_FIELDS


def test_result_fields_are_the_amounts_between_status_and_checked_at() -> None:
    published = ("account", "provider", "status", *DOCUMENTED_AMOUNTS, "checked_at", "message")
    assert RESULT_FIELDS[: len(published)] == published
    # amounts declared later are appended, never inserted: the interface only grows at the end
    later = AMOUNT_FIELDS[len(DOCUMENTED_AMOUNTS) : AMOUNT_FIELDS.index("period") + 1]
    assert RESULT_FIELDS[len(published) : len(published) + len(later)] == later
    # then what topup.attention decides of each result, then any amount declared since
    rest = RESULT_FIELDS[len(published) + len(later) :]
    assert rest[:2] == ("low", "attention")
    assert rest[2:] == AMOUNT_FIELDS[AMOUNT_FIELDS.index("period") + 1 :]
    assert set(AMOUNT_FIELDS) <= set(RESULT_FIELDS)


@pytest.mark.parametrize("cls", [Balance, CheckResult, BalancePoint])
def test_every_result_type_is_amounts(cls: type) -> None:
    assert issubclass(cls, Amounts)
    names = [f.name for f in fields(cls)]
    assert names[: len(AMOUNT_FIELDS)] == list(AMOUNT_FIELDS)


def test_keyword_construction_and_attributes() -> None:
    values = sample_values()
    balance = Balance(**values, status=Status.EXHAUSTED, message="m")
    result = CheckResult(account="a", provider="p", status=Status.OK, **values)
    point = BalancePoint(account="a", at=values["expires_at"], **values)
    for name, value in values.items():
        assert getattr(balance, name) == value
        assert getattr(result, name) == value
        assert getattr(point, name) == value
    assert balance.amounts() == result.amounts() == point.amounts() == Amounts(**values)


def test_from_balance_carries_every_amount() -> None:
    values = sample_values()
    balance = Balance(**values, status=Status.DISABLED, message="disabled")
    result = CheckResult.from_balance("a", "p", balance, duration=0.5)
    assert result.amount_values() == values
    assert (result.status, result.message, result.duration) == (Status.DISABLED, "disabled", 0.5)


def test_a_misplaced_positional_amount_is_refused_not_misassigned() -> None:
    with pytest.raises(TypeError):
        Balance("USD", Decimal(1))  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        CheckResult("a", "p", Status.OK, "USD")  # type: ignore[call-arg]
    assert CheckResult("a", "p", Status.OK).currency is None


def test_amounts_compare_by_value_across_types() -> None:
    a = CheckResult(account="a", provider="p", status=Status.OK, currency="USD", balance=Decimal(1))
    b = Balance(currency="USD", balance=Decimal("1.00"))
    assert a.amounts() == b.amounts()
    assert a.amounts() != Balance(currency="USD", balance=Decimal(2)).amounts()


def test_has_value() -> None:
    assert not Amounts().has_value
    assert Amounts(currency="USD").has_value
    assert Amounts(unlimited=True).has_value


def test_json_and_csv_keys_are_result_fields() -> None:
    result = CheckResult(account="a", provider="p", status=Status.OK, **sample_values())
    assert tuple(result_dict(result)) == RESULT_FIELDS
    document = json.loads(results_json([result], result.checked_at))
    assert tuple(document["results"][0]) == RESULT_FIELDS
    header, row = list(csv.reader(io.StringIO(results_csv([result]))))
    assert tuple(header) == RESULT_FIELDS
    assert len(row) == len(RESULT_FIELDS)


def test_amounts_dict_is_json_of_every_amount() -> None:
    values = sample_values()
    out = amounts_dict(Amounts(**values))
    assert tuple(out) == AMOUNT_FIELDS
    assert out["balance"] == "12.50" and out["expires_at"] == "2026-01-02T03:04:05Z"
    json.dumps(out)  # plain JSON values only


def test_json_type_follows_json_value() -> None:
    assert json_type(Decimal | None) == str | None
    assert json_type(datetime) is str
    assert json_type(Status) is str
    assert json_type(bool) is bool
    assert json_type(int | None) == int | None
