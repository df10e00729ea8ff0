"""`topup status`: one line from history, the accounts needing attention first, exit like check."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from click.testing import Result
from recorded import record
from typer.testing import CliRunner

from topup.cli.status import status
from topup.model import Status, utcnow
from topup.status import Setup, SetupError, read, read_setup
from topup.storage import Store, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
app = typer.Typer()
app.command()(status)


def config(tmp_path: Path, *accounts: str) -> Path:
    path = tmp_path / "config.toml"
    tables = [f'[[accounts]]\nprovider = "newapi"\n{a}\n' for a in accounts]
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def run(tmp_path: Path, *args: str, db: Path | None = None) -> Result:
    db = db or tmp_path / "h.db"
    cfg = tmp_path / "config.toml"
    if not cfg.exists():
        cfg.write_text("", encoding="utf-8")
    return CliRunner().invoke(
        app,
        ["--db", str(db), "-c", str(cfg), *args],
        env={"NO_COLOR": "1", "TOPUP_LANG": "en", "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "h.db"


def test_accounts_needing_attention_come_first_with_why(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "sf", "42.10")
        record(store, "ds-main", "3.20", "CNY")
        record(store, "kimi", "9", "CNY", at=utcnow() - timedelta(minutes=5))
        record(store, "kimi", None, status=Status.UNREACHABLE)
    config(
        tmp_path,
        'name = "sf"',
        'name = "ds-main"\nmin_balance = 5',
        'name = "kimi"',
    )
    out = run(tmp_path)
    assert out.stdout == "⚠ 2 need attention: kimi failing · ds-main low ¥3.20 | 1 ok\n"
    assert out.exit_code == 1  # failing wins over low, as in `topup check`


def test_all_fine_shows_the_totals_per_currency_and_exits_0(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "40.10")
        record(store, "b", "2")
        record(store, "c", "310", "CNY")
    out = run(tmp_path)
    assert out.stdout == "✓ 3 ok · ¥310.00 · $42.10\n"  # by currency code
    assert out.exit_code == 0


def test_a_low_account_alone_exits_3(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1")
    config(tmp_path, 'name = "a"\nmin_balance = "5"')
    out = run(tmp_path)
    assert out.exit_code == 3
    assert out.stdout.startswith("⚠ 1 needs attention: a low $1.00")


def test_accounts_with_totals_false_are_left_out_of_the_totals(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "relay", "50")
        record(store, "relay-key", "20")
    config(tmp_path, 'name = "relay"', 'name = "relay-key"\ntotals = false')
    out = run(tmp_path, "--format", "{totals} {balance[relay-key]}")
    assert out.stdout == "$50.00 $20.00\n", out.output


def test_a_short_runway_needs_money_with_the_days_left(tmp_path: Path, db: Path) -> None:
    now = utcnow()
    with Store.open(sqlite_url(db)) as store:
        for hours, left in ((48, "30"), (24, "20"), (0, "10")):
            record(store, "burn", left, at=now - timedelta(hours=hours, minutes=1))
    out = run(tmp_path)
    assert out.exit_code == 3
    assert out.stdout == "⚠ 1 needs attention: burn runs out soon $10.00 (1.0d) | 0 ok\n"
    quiet = run(tmp_path, "--no-runway")
    assert quiet.exit_code == 0 and quiet.stdout == "✓ 1 ok · $10.00\n"


def test_spend_is_reused_for_minutes_with_the_latest_balance(tmp_path: Path, db: Path) -> None:
    now = utcnow()
    with Store.open(sqlite_url(db)) as store:
        for hours, left in ((48, "30"), (24, "20"), (0, "10")):
            record(store, "burn", left, at=now - timedelta(hours=hours, minutes=2))
    assert "(1.0d)" in run(tmp_path).stdout  # 10 left at 10 a day
    (kept,) = (tmp_path / "cache").rglob("status-*.json")
    written = json.loads(kept.read_text())["at"]
    with Store.open(sqlite_url(db)) as store:  # a top-up
        record(store, "burn", "100", at=now - timedelta(minutes=1))
    out = run(tmp_path, "--format", "{runway[burn]}")
    assert out.stdout == "10.0d\n" and out.exit_code == 0  # 100 at the kept 10 a day
    assert json.loads(kept.read_text())["at"] == written
    run(tmp_path, "--fresh")  # reads the week now, and keeps nothing
    assert json.loads(kept.read_text())["at"] == written


def test_format_picks_fields_and_each_formats_every_account(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1.5")
        record(store, "b", "7", "CNY")
    out = run(
        tmp_path,
        "--format",
        "{needing}/{count} {total[usd]} {total[EUR]} [{accounts}]",
        "--each",
        "{name}={balance}",
    )
    assert out.stdout == "0/2 $1.50 — [a=$1.50 · b=¥7.00]\n", out.output


@pytest.mark.parametrize(
    ("fmt", "said"),
    [("{nope}", "unknown placeholder {nope}"), ("{balance[zz]}", "no account named 'zz'")],
)
def test_a_bad_format_is_a_usage_error(tmp_path: Path, db: Path, fmt: str, said: str) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1")
    out = run(tmp_path, "--format", fmt)
    assert out.exit_code == 2 and said in out.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "{"], "not a valid template"),
        (["--format", "}"], "not a valid template"),
        (["--format", "{accounts}", "--each", "{"], "not a valid template"),
        (["--format", "{balance}"], "{balance[NAME]}"),
        (["--format", "{total}"], "{total[CUR]}"),
        (["--format", "{status}"], "{status[NAME]}"),
        (["--format", "{balance.known}"], "{balance[NAME]}"),
        (["--format", "{ok.real}"], "{ok.real}"),
        (["--format", "{ok[0]}"], "{ok[0]}"),
        (["--format", "{totals:d}"], "Unknown format code"),
        (["--format", "{mark}", "--each", "{name}"], "--each"),
    ],
)
def test_a_template_str_format_cannot_fill_is_a_usage_error_naming_the_fix(
    tmp_path: Path, db: Path, args: list[str], said: str
) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1")
    out = run(tmp_path, *args)
    assert out.exit_code == 2, out.output
    assert out.stderr.startswith("topup: ") and said in out.stderr, out.stderr
    assert out.stdout == "" and "Traceback" not in out.output


def test_format_specs_and_conversions_work_as_in_python(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1")
    out = run(tmp_path, "--format", "[{ok:>3}] {ok!r} {balance[a]!r} {count:{ok}}")
    assert out.stdout == "[  1] 1 '$1.00' 1\n", out.output


def test_status_of_an_account_is_its_value_and_reasons_are_words(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "low", "1", "CNY")
        record(store, "down", None, status=Status.UNREACHABLE)
    config(tmp_path, 'name = "low"\nmin_balance = 5', 'name = "down"', 'name = "new"')
    fmt = "{status[low]}/{status[down]}/{status[new]} {reasons[low]}/{reasons[down]}"
    out = run(tmp_path, "--format", fmt)
    assert out.stdout == "ok/unreachable/never low/failing\n", out.output
    each = run(tmp_path, "--format", "{accounts}", "--each", "{name}={status}")
    assert "low=ok" in each.stdout and "down=unreachable" in each.stdout, each.output
    assert "new=never" in each.stdout


def test_the_line_names_three_accounts_needing_attention_then_how_many_more(
    tmp_path: Path, db: Path
) -> None:
    names = [f"acct{i:02}" for i in range(12)]
    with Store.open(sqlite_url(db)) as store:
        for name in names:
            record(store, name, "1")
    config(tmp_path, *(f'name = "{n}"\nmin_balance = 5' for n in names))
    out = run(tmp_path)
    assert out.stdout == (
        "⚠ 12 need attention: acct00 low $1.00 · acct01 low $1.00 · acct02 low $1.00 · "
        "+9 more | 0 ok\n"
    ), out.output
    plain = run(tmp_path, "--plain")
    assert plain.stdout.endswith("acct02 low 1.00 USD; +9 more | 0 ok\n"), plain.output
    attention = run(tmp_path, "--format", "{attention}")
    assert attention.stdout.count("acct") == 3 and "+9 more" in attention.stdout
    every = run(tmp_path, "--format", "{accounts}", "--each", "{name}")
    assert every.stdout.split(" · ") == [*names[:-1], names[-1] + "\n"]


@pytest.mark.parametrize("value", ["nan", "inf", '"NaN"', '"-Infinity"'])
def test_a_min_balance_that_is_not_a_finite_number_is_a_config_error(
    tmp_path: Path, db: Path, value: str
) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1")
    config(tmp_path, f'name = "a"\nmin_balance = {value}')
    out = run(tmp_path)
    assert out.exit_code == 2 and "min_balance" in out.stderr, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)


def test_plain_output_is_ascii_without_marks(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "3", "CNY")
        record(store, "b", "4", "CNY")
    config(tmp_path, 'name = "a"\nmin_balance = 5', 'name = "b"\nmin_balance = 5')
    out = run(tmp_path, "--plain")
    assert out.stdout == "2 need attention: a low 3.00 CNY; b low 4.00 CNY | 0 ok\n"
    assert out.stdout.isascii()


def test_a_stale_value_needs_attention(tmp_path: Path, db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "old", "5", at=utcnow() - timedelta(hours=3))
    out = run(tmp_path)
    assert out.stdout.startswith("⚠ 1 needs attention: old stale") and out.exit_code == 0


def test_no_history_says_so_and_creates_nothing(tmp_path: Path, db: Path) -> None:
    out = run(tmp_path)
    assert out.exit_code == 2 and "no history yet" in out.stderr and "topup watch" in out.stderr
    assert not db.exists()
    Store.open(sqlite_url(db)).close()  # a database without any check
    out = run(tmp_path)
    assert out.exit_code == 2 and "no history yet" in out.stderr


def test_a_config_that_is_not_toml_is_a_config_error(tmp_path: Path, db: Path) -> None:
    (tmp_path / "config.toml").write_text("[[accounts]\n", encoding="utf-8")
    out = run(tmp_path)
    assert out.exit_code == 2 and "config error" in out.stderr


def test_setup_reads_accounts_storage_and_language_without_validating(tmp_path: Path) -> None:
    path = config(tmp_path, 'name = "a"\ninterval = "5m"\nmin_balance = 2.50', 'name = "off"')
    path.write_text(
        path.read_text().replace('name = "off"', 'name = "off"\nenabled = false')
        + '\n[storage]\nurl = "h.db"\n[ui]\nlang = "zh-CN"\n',
        encoding="utf-8",
    )
    setup = read_setup(path)
    assert [a.name for a in setup.accounts or ()] == ["a"]
    account = (setup.accounts or ())[0]
    assert account.interval == 300 and account.min_balance == Decimal("2.50")
    assert setup.storage_url == sqlite_url(Path("h.db")).replace("+pysqlite", "")
    assert setup.lang == "zh_CN"
    assert read_setup(None, env={"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}) == Setup(
        None, None
    )
    with pytest.raises(SetupError, match="min_balance"):
        read_setup(config(tmp_path, 'name = "x"\nmin_balance = "lots"'))


def test_without_a_config_every_account_in_history_is_summarised(db: Path) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "b", "1")
        record(store, "a", "2")
        overview = read(store, None)
    assert [e.name for e in overview.entries] == ["a", "b"]
    assert overview.totals == {"USD": Decimal("3")}


def test_status_does_not_import_the_http_client_or_the_web_stack(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1")
    cfg = tmp_path / "empty.toml"
    cfg.write_text("", encoding="utf-8")
    code = (
        "import sys, typer\n"
        "from typer.testing import CliRunner\n"
        "from topup.cli.status import status\n"
        "app = typer.Typer(); app.command()(status)\n"
        f"r = CliRunner().invoke(app, ['--db', {str(db)!r}, '-c', {str(cfg)!r}])\n"
        "heavy = ('httpx', 'fastapi', 'aiohttp', 'apprise', 'uvicorn', 'alembic')\n"
        "print(json.dumps([r.exit_code, r.stdout, [m for m in heavy if m in sys.modules]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"NO_COLOR": "1", "TOPUP_LANG": "en", "XDG_CACHE_HOME": str(tmp_path)},
    )
    exit_code, stdout, heavy = json.loads(out.stdout)
    assert heavy == []
    assert (exit_code, stdout) == (0, "✓ 1 ok · $1.00\n")


def test_topup_status_runs_as_a_command_of_topup(tmp_path: Path, db: Path) -> None:
    from cli_helpers import invoke

    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "2.5")
    cfg = tmp_path / "config.toml"
    cfg.write_text("", encoding="utf-8")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "TOPUP_LANG": "en"}
    out = invoke(["status", "--db", str(db), "-c", str(cfg), "--plain"], env=env)
    assert (out.exit_code, out.stdout) == (0, "1 ok; 2.50 USD\n")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "{x"], "a { has no } after it"),
        (["--format", "a}b"], "a } has no { before it"),
        (
            ["--format", "{mark}", "--each", "{name}"],
            "--each writes {accounts}, which --format does not use: add it, e.g. "
            "--format '{mark} {accounts}'",
        ),
    ],
)
def test_template_errors_show_single_braces_in_our_words(
    tmp_path: Path, db: Path, args: list[str], said: str
) -> None:
    with Store.open(sqlite_url(db)) as store:
        record(store, "a", "1")
    out = run(tmp_path, *args)
    assert out.exit_code == 2 and said in out.stderr, out.stderr
    assert "{{" not in out.stderr.split("(write")[0] and "expected" not in out.stderr
    assert "Single" not in out.stderr
