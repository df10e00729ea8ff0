"""Accounts that hold several currencies, and quota windows: flat fields, totals, JSON/CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from rich.console import Console

from topup.cli.render import balance_text, print_table, totals
from topup.model import Balance, CheckResult, CurrencyBalance, QuotaWindow, Status, flat_entry
from topup.serialize import result_dict, results_csv

CNY = CurrencyBalance(currency="CNY", balance=Decimal("110.5"), granted=Decimal("10"))
USD = CurrencyBalance(currency="USD", balance=Decimal("0.00"), paid=Decimal("0.00"))


def mixed(preferred: str | None) -> CheckResult:
    balance = Balance.of_entries((CNY, USD), preferred)
    return CheckResult.from_balance("ds", "deepseek", balance)


def test_flat_fields_follow_the_accounts_currency_else_the_only_entry_else_null() -> None:
    assert flat_entry((CNY, USD), "USD") == USD
    assert flat_entry((CNY, USD), "cny") == CNY
    assert flat_entry((CNY,), None) == CNY
    assert flat_entry((CNY, USD), None) is None  # never a silent pick
    assert flat_entry((CNY,), "EUR") is None
    r = mixed(None)
    assert (r.currency, r.balance) == (None, None)
    assert r.balances == (CNY, USD)
    r = mixed("CNY")
    assert (r.currency, r.balance, r.granted) == ("CNY", Decimal("110.5"), Decimal("10"))


def test_a_single_currency_result_lists_its_one_entry() -> None:
    r = CheckResult.from_balance("sf", "siliconflow", Balance("USD", balance=Decimal("3")))
    assert r.balances == (CurrencyBalance(currency="USD", balance=Decimal("3")),)


def test_totals_count_every_currency_of_every_account() -> None:
    sf = CheckResult.from_balance("sf", "siliconflow", Balance("USD", balance=Decimal("3")))
    sums = totals([mixed(None), sf])
    assert sums == {"CNY": Decimal("110.5"), "USD": Decimal("3.00")}


def test_json_lists_and_one_csv_cell() -> None:
    window = QuotaWindow(
        name="5h",
        limit=Decimal(100),
        used=Decimal(40),
        resets_at=datetime(2026, 12, 1, 15, tzinfo=UTC),
    )
    r = CheckResult(
        account="plan", provider="kimi-code", status=Status.OK, windows=(window,), scope="account"
    )
    d = result_dict(r)
    assert d["windows"] == [
        {
            "name": "5h",
            "limit": "100",
            "used": "40",
            "remaining": None,
            "used_percent": None,
            "resets_at": "2026-12-01T15:00:00Z",
        }
    ]
    assert d["currency"] is None and d["balance"] is None and d["balances"] == []
    row = next(csv.DictReader(io.StringIO(results_csv([r, mixed(None)]))))
    assert json.loads(row["windows"])[0]["name"] == "5h" and row["balances"] == ""
    rows = list(csv.DictReader(io.StringIO(results_csv([mixed(None)]))))
    assert [e["currency"] for e in json.loads(rows[0]["balances"])] == ["CNY", "USD"]


def test_the_table_shows_every_currency_and_windows_left() -> None:
    assert balance_text(mixed(None)).plain == "110.50 CNY + 0.00 USD"
    window = QuotaWindow(name="weekly", used_percent=Decimal("93"))
    plan = CheckResult(account="plan", provider="zhipu", status=Status.OK, windows=(window,))
    assert balance_text(plan).plain == "weekly 7% left"
    console = Console(width=140, record=True, color_system=None)
    print_table(console, [mixed(None), plan], {})
    text = console.export_text()
    assert "Total" in text and "110.50 CNY" in text and "weekly 7% left" in text
    assert "unknown, not counted" not in text
