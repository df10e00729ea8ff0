"""`topup history` and `topup export`: reading never creates a database; CSV is quoted."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from cli_helpers import invoke
from typer.testing import CliRunner

from topup.cli.app import app
from topup.model import CheckResult, Status, utcnow
from topup.storage import Store, sqlite_url


def test_history_never_creates_a_database(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("")
    missing = tmp_path / "nothing-here.db"
    result = invoke(["history", "a", "-c", str(config), "--db", str(missing)])
    assert result.exit_code == 2 and "no history database" in result.output
    assert not missing.exists()
    result = invoke(["export", "-c", str(config), "--db", str(missing)])
    assert result.exit_code == 2 and not missing.exists()


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
