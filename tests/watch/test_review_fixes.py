"""Fixes from review: an empty list checks nothing; `topup history --csv` quotes its cells."""

from __future__ import annotations

import asyncio
import csv
import io
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from topup.account import Account
from topup.cli.app import app
from topup.model import CheckResult, Status, utcnow
from topup.storage import Store, sqlite_url
from topup.watch import Watcher


def test_an_empty_list_checks_no_account(tmp_path: Path) -> None:
    accounts = [Account(name="a", provider="siliconflow", base_url="http://127.0.0.1:9")]
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:
        watcher = Watcher(accounts, store)
        assert asyncio.run(watcher.check_now([])) == []
        assert watcher.checks == 0


def test_history_csv_quotes_names_with_commas(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    name = 'team "a", prod'
    with Store.open(sqlite_url(db)) as store:
        store.record(
            [
                (
                    CheckResult(
                        account=name,
                        provider="siliconflow",
                        status=Status.OK,
                        currency="USD",
                        balance=Decimal("1.5"),
                        checked_at=utcnow(),
                    ),
                    "fp",
                )
            ]
        )
    config = tmp_path / "c.toml"
    config.write_text("")
    out = CliRunner().invoke(app, ["history", name, "--csv", "--db", str(db), "-c", str(config)])
    assert out.exit_code == 0, out.output
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert len(rows) == 2 and len(rows[0]) == len(rows[1])
    assert rows[1][0] == name and rows[1][3] == "1.5"
