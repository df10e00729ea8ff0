"""The demo's simulated week of history tells one story: the flat amounts are their
currency's entry in ``balances``, and ``used`` grows with the simulated spending (unknown
before the platform's own figure allows it, never zero)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from topup import config as config_module
from topup import demo, runner
from topup.model import CheckResult, CurrencyBalance, Status
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.storage import Store, sqlite_url


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[CheckResult]]:
    """Every row of `topup export` after the demo's checks and its backfill, by account."""
    tmp = tmp_path_factory.mktemp("demo-history")
    state = SandboxState()
    accounts = demo.populate(state)
    with SandboxServer(state) as sandbox:
        cfg = config_module.load(demo.write_config(tmp, sandbox.url, accounts))
        results = runner.run(cfg.accounts, cfg.settings.check.run_options(timeout=10))
    rows: dict[str, list[CheckResult]] = defaultdict(list)
    with Store.open(sqlite_url(tmp / "history.db")) as store:
        store.record([(r, "demo") for r in results])
        assert demo.backfill(store, results, accounts, days=2) > 0
        for row in store.export():
            rows[row.account].append(row)
    return rows


def test_every_simulated_point_shows_the_same_balance_flat_and_in_balances(
    exported: dict[str, list[CheckResult]],
) -> None:
    compared = 0
    for name, rows in exported.items():
        for row in rows:
            if row.status is not Status.OK or not row.balances:
                continue
            entry = next((e for e in row.balances if e.currency == row.currency), None)
            if entry is None:  # several currencies and none named: the flat fields are null
                assert row.balance is None, name
                continue
            flat = (row.balance, row.granted, row.paid)
            assert flat == (entry.balance, entry.granted, entry.paid), (name, row.checked_at)
            compared += 1
    assert compared > 100  # the simulated rows were compared, not only the real checks


def test_simulated_used_grows_with_the_spending_and_is_never_a_made_up_zero(
    exported: dict[str, list[CheckResult]],
) -> None:
    seen_used = False
    for name, rows in exported.items():
        good = [r for r in rows if r.status is Status.OK and r.balance is not None]
        if len(good) < 2 or good[-1].used is None:
            continue
        start = good[0].balance
        assert start is not None
        last_used: Decimal | None = None
        for row in good:
            assert row.balance is not None
            if row.balance < start:
                assert row.used != 0, (name, row.checked_at)
            if row.used is not None:
                seen_used = True
                if last_used is not None:  # spending only adds to what was used
                    assert row.used >= last_used, (name, row.checked_at)
                last_used = row.used
        # The platform's own figure ends the series: no jump back to an older value.
        assert good[-1].used == last_used, name
    assert seen_used


def test_a_point_before_spending_and_a_top_up_moves_balance_paid_and_used_together() -> None:
    now = CheckResult(
        "acct",
        "p",
        Status.OK,
        currency="USD",
        balance=Decimal("10"),
        granted=Decimal("1"),
        paid=Decimal("9"),
        used=Decimal("5"),
        balances=(
            CurrencyBalance(
                currency="USD", balance=Decimal("10"), granted=Decimal("1"), paid=Decimal("9")
            ),
            CurrencyBalance(currency="EUR", balance=Decimal("3")),
        ),
    )
    then = demo.earlier(now, spent=Decimal("2"), added=Decimal("0"))
    assert (then.balance, then.paid, then.granted, then.used) == (12, 11, 1, 3)
    assert then.balances[0].balance == 12 and then.balances[0].paid == 11
    assert then.balances[1] == now.balances[1]  # another currency is not spent from
    before_top_up = demo.earlier(now, spent=Decimal("6"), added=Decimal("20"))
    assert before_top_up.balance == Decimal("-4") and before_top_up.paid is None
    assert before_top_up.used is None  # more spent than was ever used: unknown, not 0
