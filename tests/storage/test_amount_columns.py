"""The ``balances`` table derives from :class:`topup.model.Amounts`; old databases still read."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from topup.model import (
    AMOUNT_FIELDS,
    AMOUNT_TYPES,
    CheckResult,
    CurrencyBalance,
    QuotaWindow,
    Status,
)
from topup.serialize import iso, result_dict
from topup.storage import Store, schema, sqlite_url
from topup.storage.migrate import current_revision, head_revision
from topup.storage.schema import VERSION_TABLE, balances, metadata
from topup.web.account_view import point_dict

from .helpers import T0

DATA = Path(__file__).parent / "data"

#: A value, unlike the default, for each type an amount field has.
SAMPLES: dict[type, Any] = {
    str: "EUR",
    Decimal: Decimal("12.50"),
    bool: True,
    int: 2**40,
    datetime: datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
}


#: A value for each list-of-records amount field.
RECORD_SAMPLES: dict[type, Any] = {
    CurrencyBalance: (
        CurrencyBalance(currency="CNY", balance=Decimal("7.10"), granted=Decimal("1")),
        CurrencyBalance(currency="USD", balance=Decimal("-0.5")),
    ),
    QuotaWindow: (
        QuotaWindow(
            name="5h",
            limit=Decimal(100),
            used=Decimal("12"),
            used_percent=Decimal("12.0"),
            resets_at=datetime(2026, 1, 2, 8, 0, tzinfo=UTC),
        ),
    ),
}


def every_amount() -> dict[str, Any]:
    out = {}
    for name, hint in AMOUNT_TYPES.items():
        if get_origin(hint) is tuple:
            out[name] = RECORD_SAMPLES[get_args(hint)[0]]
            continue
        (python_type,) = [a for a in get_args(hint) or (hint,) if a is not type(None)]
        out[name] = SAMPLES[python_type]
    return out


def test_balances_has_one_column_per_amount_field() -> None:
    assert [c.name for c in balances.columns] == ["id", "account_id", "at", *AMOUNT_FIELDS]
    for name, hint in AMOUNT_TYPES.items():
        if get_origin(hint) is tuple:  # a list of records: JSON text, NULL when empty
            assert balances.c[name].nullable, name
            continue
        assert balances.c[name].nullable == (type(None) in get_args(hint)), name


def test_an_amount_without_a_column_type_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "AMOUNT_TYPES", {**AMOUNT_TYPES, "windows": list[str]})
    with pytest.raises(TypeError, match="windows"):
        schema.amount_columns()


def test_the_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    """A new amount field needs a migration: until it has one, this test fails."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table": VERSION_TABLE, "compare_type": True}
        )
        assert compare_metadata(context, metadata) == []


def test_every_amount_round_trips(store: Store) -> None:
    values = every_amount()
    result = CheckResult(account="a", provider="p", status=Status.OK, checked_at=T0, **values)
    store.record([(result, None)])
    (point,) = store.balance_history("a")
    (state,) = store.latest()
    (exported,) = store.export()
    assert state.last_good is not None
    for got in (point, state.last_good, exported):
        assert got.amount_values() == values
        assert {n: str(v) for n, v in got.amount_values().items()} == {
            n: str(v) for n, v in values.items()
        }  # exact: the same scale, the same instant


def test_a_change_in_any_amount_makes_a_point(store: Store) -> None:
    base = CheckResult(account="a", provider="p", status=Status.OK, checked_at=T0, currency="USD")
    store.record([(base, None)])
    for i, (name, value) in enumerate(every_amount().items(), start=1):
        changed = CheckResult(
            account="a",
            provider="p",
            status=Status.OK,
            checked_at=T0 + timedelta(minutes=i),
            **{**base.amount_values(), name: value},
        )
        assert store.record([(changed, None)]).points == 1, name
        assert store.record([(changed, None)]).points == 0, name  # unchanged: no point
        base = changed


# -- a database written by the release before Amounts -------------------------------------------


@pytest.fixture
def release_db(tmp_path: Path) -> str:
    """``data/history_0001.sql``: a SQLite dump written by the release at schema 0001_initial."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((DATA / "history_0001.sql").read_text())
    conn.close()
    return sqlite_url(path)


def as_then(got: Any, want: Any) -> Any:
    """``got`` with only the keys ``want`` has, at any depth: the interface of then (fields added
    since are appended and checked elsewhere)."""
    if isinstance(got, dict) and isinstance(want, dict):
        return {k: as_then(got[k], want[k]) if k in got else None for k in want}
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [as_then(g, w) for g, w in zip(got, want, strict=True)]
    return got


def test_a_database_of_the_previous_release_reads_the_same(release_db: str) -> None:
    expected = json.loads((DATA / "history_0001.json").read_text())
    with Store.open(release_db) as store:
        assert current_revision(store.engine) == head_revision()
        exported = [result_dict(r) for r in store.export()]
        # The interface only grows at the end: the fields of then, the same values, the same
        # order, then fields added since (empty for those old checks).
        then = [
            {k: row[k] for k in want}
            for row, want in zip(exported, expected["export"], strict=True)
        ]
        assert then == expected["export"]
        assert [
            list(row)[: len(want)] for row, want in zip(exported, expected["export"], strict=True)
        ] == [list(want) for want in expected["export"]]
        latest = [
            {
                "account": s.account.name,
                "provider": s.account.provider,
                "fingerprint": s.account.fingerprint,
                "currency": s.account.currency,
                "last_check": None
                if s.last_check is None
                else [
                    s.last_check.status.value,
                    s.last_check.checked_at.isoformat(),
                    s.last_check.message,
                    s.last_check.duration,
                ],
                "last_good": None if s.last_good is None else point_dict(s.last_good),
                "last_good_at": None if s.last_good_at is None else s.last_good_at.isoformat(),
            }
            for s in store.latest()
        ]
        assert as_then(latest, expected["latest"]) == expected["latest"]
        points = {n: [point_dict(p) for p in store.balance_history(n)] for n in expected["points"]}
        assert as_then(points, expected["points"]) == expected["points"]
        # and it keeps recording
        later = T0 + timedelta(hours=2)
        new = CheckResult(
            account="beta", provider="newapi", status=Status.OK, currency="USD", checked_at=later
        )
        assert store.record([(new, "fp-beta")]).points == 1
        assert iso(store.balance_history("beta")[-1].at) == iso(later)
