"""`topup history` and `topup export`: reading never creates a database; CSV is quoted."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cli_helpers import invoke
from recorded import record
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


def _record(store: Store, name: str, balance: str, at: datetime, currency: str = "USD") -> None:
    record(store, name, balance, currency, at=at)


def test_history_folds_runs_of_identical_points_with_seconds(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    start = utcnow().replace(microsecond=0) - timedelta(hours=30)
    with Store.open(sqlite_url(db)) as store:
        for i in range(6):  # 2 h apart: every check writes a (heartbeat) point
            _record(store, "a", "10", start + timedelta(hours=2 * i, seconds=7))
        for i in range(6, 9):
            _record(store, "a", "8.5", start + timedelta(hours=2 * i, seconds=7))
        assert len(store.balance_history("a")) == 9
    config = tmp_path / "c.toml"
    config.write_text("")
    folded = invoke(["history", "a", "--db", str(db), "-c", str(config)])
    assert folded.exit_code == 0, folded.output
    rows = [line for line in folded.output.splitlines() if "USD │" in line]
    assert len(rows) == 2
    assert f"{start + timedelta(seconds=7):%Y-%m-%d %H:%M:%S}" in rows[0] and "6" in rows[0]
    assert "-1.50 USD" in rows[1]
    assert "7 checks with an unchanged balance folded" in folded.output
    every = invoke(["history", "a", "--all", "--db", str(db), "-c", str(config)])
    assert len([line for line in every.output.splitlines() if "10.00 USD" in line]) == 6
    as_json = invoke(["history", "a", "--json", "--db", str(db), "-c", str(config)])
    assert len(json.loads(as_json.stdout)["points"]) == 9  # the stable interface lists them all


def test_history_without_a_name_is_one_row_per_account_attention_first(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    now = utcnow()
    with Store.open(sqlite_url(db)) as store:
        _record(store, "zeta", "100", now - timedelta(days=2))
        _record(store, "zeta", "90", now - timedelta(minutes=1))
        _record(store, "alpha", "50", now - timedelta(minutes=1))
        _record(store, "low", "2", now - timedelta(minutes=1), "CNY")
    config = tmp_path / "c.toml"
    config.write_text(
        '[[accounts]]\nname = "zeta"\nprovider = "newapi"\napi_key = "k"\n'
        'base_url = "https://r.example"\n\n'
        '[[accounts]]\nname = "alpha"\nprovider = "newapi"\napi_key = "k"\n'
        'base_url = "https://r.example"\n\n'
        '[[accounts]]\nname = "low"\nprovider = "newapi"\napi_key = "k"\n'
        'base_url = "https://r.example"\nmin_balance = 5\n'
    )
    out = invoke(["history", "--db", str(db), "-c", str(config)])
    assert out.exit_code == 0, out.output
    rows = [line for line in out.output.splitlines() if "│" in line and "." in line]
    # attention first, then the shortest runway (zeta spends 5 a day), then the name
    assert [r.split("│")[1].strip() for r in rows] == ["low", "zeta", "alpha"]
    assert "low)" in rows[0] and "2.00 CNY" in rows[0]
    assert "-10.00 USD" in rows[1] and "18.0 d" in rows[1]  # the 7-day change, the runway
    both = invoke(["history", "--json", "--db", str(db), "-c", str(config)])
    assert both.exit_code == 2


def test_one_check_is_counted_in_the_singular(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with Store.open(sqlite_url(db)) as store:
        _record(store, "a", "10", utcnow() - timedelta(hours=1))
    config = tmp_path / "c.toml"
    config.write_text("")
    one = invoke(["history", "a", "--db", str(db), "-c", str(config)])
    assert one.exit_code == 0, one.output
    assert "1 check, 0 failed" in one.output and "1 checks" not in one.output


def test_the_overview_shows_a_last_good_value_as_check_does(tmp_path: Path) -> None:
    """Quota windows only (a coding plan), several currencies: as the check table shows them."""
    from topup.model import CurrencyBalance, QuotaWindow

    db = tmp_path / "h.db"
    now = utcnow()
    plan = CheckResult(
        account="plan",
        provider="newapi",
        status=Status.OK,
        currency=None,
        windows=(QuotaWindow(name="weekly", used_percent=Decimal("41")),),
        checked_at=now,
    )
    mixed = CheckResult(
        account="mixed",
        provider="newapi",
        status=Status.OK,
        currency="CNY",
        balance=Decimal("248.38"),
        balances=(
            CurrencyBalance(currency="CNY", balance=Decimal("248.38")),
            CurrencyBalance(currency="USD", balance=Decimal("0.00")),
        ),
        checked_at=now,
    )
    with Store.open(sqlite_url(db)) as store:
        store.record([(plan, "fp-plan"), (mixed, "fp-mixed")])
    config = tmp_path / "c.toml"
    config.write_text("")
    out = invoke(["history", "--db", str(db), "-c", str(config)])
    assert out.exit_code == 0, out.output
    assert "weekly 59% left" in out.output
    assert "248.38 CNY + 0.00 USD" in out.output


def _record_failure(store: Store, name: str, status: Status, message: str, at: datetime) -> None:
    result = CheckResult(
        account=name, provider="newapi", status=status, message=message, checked_at=at
    )
    store.record([(result, "fp-" + name)])


def test_an_account_whose_checks_all_failed_shows_its_failure_runs(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    start = utcnow().replace(microsecond=0) - timedelta(hours=3)
    with Store.open(sqlite_url(db)) as store:
        for i in range(3):
            _record_failure(
                store, "down", Status.UNAVAILABLE, "HTTP 503", start + timedelta(minutes=i)
            )
        _record_failure(store, "down", Status.AUTH_ERROR, "HTTP 401", start + timedelta(hours=1))
    config = tmp_path / "c.toml"
    config.write_text("")
    out = invoke(["history", "down", "--db", str(db), "-c", str(config)])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    unavailable = next(line for line in lines if "HTTP 503" in line)
    assert "unavailable" in unavailable and f"{start:%Y-%m-%d %H:%M:%S}" in unavailable
    assert f"{start + timedelta(minutes=2):%Y-%m-%d %H:%M:%S}" in unavailable
    assert unavailable.rstrip("│ ").endswith("3")
    assert "key rejected" in next(line for line in lines if "HTTP 401" in line)
    assert "Balance" not in out.stdout  # no empty table of balances
    assert "4 checks, 4 failed" in out.stdout
    as_json = invoke(["history", "down", "--json", "--db", str(db), "-c", str(config)])
    assert [c["status"] for c in json.loads(as_json.stdout)["checks"]] == [
        "unavailable",
        "unavailable",
        "unavailable",
        "auth_error",
    ]
    zh = invoke(["--lang", "zh-CN", "history", "down", "--db", str(db), "-c", str(config)])
    assert "密钥被拒绝" in zh.stdout


def test_a_bad_since_is_a_usage_error_with_or_without_a_name(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with Store.open(sqlite_url(db)) as store:
        _record(store, "a", "10", utcnow())
    config = tmp_path / "c.toml"
    config.write_text("")
    for args in (["history"], ["history", "a"]):
        out = invoke([*args, "--since", "bogus", "--db", str(db), "-c", str(config)])
        assert out.exit_code == 2 and "bogus" in out.output


def test_an_unknown_name_is_no_account_but_a_configured_one_has_no_history(
    tmp_path: Path,
) -> None:
    db = tmp_path / "h.db"
    with Store.open(sqlite_url(db)) as store:
        _record(store, "a", "10", utcnow() - timedelta(days=60))
    config = tmp_path / "c.toml"
    config.write_text('[[accounts]]\nname = "fresh"\nprovider = "deepseek"\napi_key = "sk-test"\n')
    base = ["--db", str(db), "-c", str(config)]
    out = invoke(["history", "nosuch", *base])
    assert out.exit_code == 2 and "no account named 'nosuch'" in out.output
    out = invoke(["history", "fresh", *base])
    assert out.exit_code == 2 and "no history for account 'fresh'" in out.output


def test_the_overview_names_the_status_for_a_person(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with Store.open(sqlite_url(db)) as store:
        _record_failure(store, "b", Status.AUTH_ERROR, "HTTP 401", utcnow())
    config = tmp_path / "c.toml"
    config.write_text("")
    out = invoke(["--lang", "zh-CN", "history", "--db", str(db), "-c", str(config)])
    assert out.exit_code == 0, out.output
    assert "密钥被拒绝" in out.stdout and "auth_error" not in out.stdout
