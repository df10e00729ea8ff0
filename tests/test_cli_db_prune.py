"""`topup db prune`: old repeated checks go, changes stay; --keep or [storage] keep; exit 0, 1
(database unreachable), 2 (usage); --dry-run deletes nothing; --vacuum shrinks the file."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cli_helpers import invoke

from topup.model import CheckResult, Status, utcnow
from topup.storage import Store, sqlite_url


def ok(account: str, balance: Decimal, at: datetime) -> CheckResult:
    return CheckResult(
        account=account,
        provider="siliconflow",
        status=Status.OK,
        currency="USD",
        balance=balance,
        checked_at=at,
    )


def history(path: Path, days: int = 30) -> int:
    """``days`` of 15-minute polls of two accounts, ending now; returns the checks stored."""
    start = utcnow() - timedelta(days=days)
    rows = []
    for r in range(days * 96):
        at = start + timedelta(minutes=15 * r)
        balance = Decimal(100) - r // 200  # a spend every 50 hours
        rows.append((ok("a", balance, at), None))
        status = Status.UNAVAILABLE if r % 50 == 0 else Status.OK
        if status is Status.OK:
            result = ok("b", Decimal(5), at)
        else:
            result = CheckResult.failure("b", "siliconflow", status, "HTTP 503", checked_at=at)
        rows.append((result, None))
    with Store.open(sqlite_url(path)) as store:
        store.record(rows)
    return len(rows)


def stored(path: Path) -> int:
    with Store.open(sqlite_url(path)) as store:
        return sum(1 for _ in store.export())


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_prune_removes_old_repeats_and_reports_counts(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    total = history(db)
    empty = config(tmp_path, "")
    result = invoke(["db", "prune", "--keep", "7d", "--db", str(db), "-c", str(empty), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["removed"] > 0 and doc["kept"] == doc["examined"] - doc["removed"]
    assert doc["keep_seconds"] == 7 * 86400 and doc["dry_run"] is False
    assert stored(db) == total - doc["removed"]
    with Store.open(sqlite_url(db)) as store:
        recent = store.check_history("a", utcnow() - timedelta(days=6))
    assert len(recent) >= 6 * 96 - 1  # the last week untouched


def test_dry_run_counts_and_deletes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    total = history(db)
    empty = config(tmp_path, "")
    args = ["db", "prune", "--keep", "7d", "--db", str(db), "-c", str(empty)]
    dry = invoke([*args, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    would = json.loads(dry.stdout)["removed"]
    assert would > 0 and stored(db) == total
    real = invoke(args)
    assert real.exit_code == 0, real.output
    assert f"Removed {would:,} of" in real.stdout and "--vacuum" in real.stdout
    assert stored(db) == total - would


def test_keep_and_database_come_from_the_storage_table(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    total = history(db)
    cfg = config(tmp_path, f'[storage]\nurl = "{db}"\nkeep = "20d"\n')
    result = invoke(["db", "prune", "-c", str(cfg), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["keep_seconds"] == 20 * 86400 and doc["removed"] > 0
    assert stored(db) == total - doc["removed"]
    # --keep wins over the config.
    longer = invoke(["db", "prune", "-c", str(cfg), "--keep", "25d", "--json"])
    assert json.loads(longer.stdout)["removed"] == 0


def test_vacuum_gives_the_space_back(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    history(db, days=60)
    empty = config(tmp_path, "")
    result = invoke(
        ["db", "prune", "--keep", "2d", "--db", str(db), "-c", str(empty), "--vacuum", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["vacuumed"] is True and doc["bytes_after"] < 0.5 * doc["bytes_before"]


def test_without_a_keep_it_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    total = history(db, days=2)
    empty = config(tmp_path, "")
    result = invoke(["db", "prune", "--db", str(db), "-c", str(empty)])
    assert result.exit_code == 2 and "--keep" in result.output
    for bad in ("soon", "0", "-3d"):
        result = invoke(["db", "prune", "--db", str(db), "-c", str(empty), "--keep", bad])
        assert result.exit_code == 2 and "not a positive duration" in result.output, bad
    assert stored(db) == total


def test_a_broken_config_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    history(db, days=2)
    broken = config(tmp_path, '[storage]\nkeep = "forever"\n')
    result = invoke(["db", "prune", "--db", str(db), "-c", str(broken), "--keep", "1d"])
    assert result.exit_code == 2 and "config error" in result.output


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    empty = config(tmp_path, "")
    result = invoke(["db", "prune", "--keep", "1d", "--db", str(missing), "-c", str(empty)])
    assert result.exit_code == 2 and "no history database" in result.output
    assert not missing.exists()


def test_an_unreachable_database_exits_1(tmp_path: Path) -> None:
    empty = config(tmp_path, "")
    url = "postgresql+psycopg://topup@127.0.0.1:1/none?connect_timeout=2"
    result = invoke(["db", "prune", "--keep", "1d", "--db", url, "-c", str(empty)])
    assert result.exit_code == 1 and "unreachable" in result.output


def test_prune_speaks_chinese_under_lang_zh_cn(tmp_path: Path) -> None:
    from topup import i18n

    db = tmp_path / "h.db"
    history(db, days=10)
    empty = config(tmp_path, "")
    try:
        helped = invoke(["--lang", "zh-CN", "db", "prune", "--help"])
        assert "删除早于 --keep" in helped.output and "统计" in helped.output, helped.output
        assert "Delete checks" not in helped.output and "Count what would go" not in helped.output
        done = invoke(["--lang", "zh-CN", "db", "prune", "--keep", "7d", "--db", str(db)])
        assert done.exit_code == 0 and "已删除" in done.output and "余额点全部保留" in done.output
        assert "Removed" not in done.output
        missing = invoke(["--lang", "zh-CN", "db", "prune", "-c", str(empty), "--db", str(db)])
        assert missing.exit_code == 2 and "要保留多久" in missing.output, missing.output
    finally:
        i18n.set_language(None)


def test_english_counts_are_plural_only_when_more_than_one(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with Store.open(sqlite_url(db)) as store:
        store.record([(ok("a", Decimal(5), utcnow() - timedelta(days=9)), None)])
    empty = config(tmp_path, "")
    done = invoke(["db", "prune", "--keep", "7d", "--db", str(db), "-c", str(empty)])
    assert "Removed 0 of 1 check older than" in done.output and "(1 account);" in done.output


def test_the_chinese_dry_run_says_what_would_go_as_one_sentence(tmp_path: Path) -> None:
    from topup import i18n

    db = tmp_path / "h.db"
    total = history(db, days=10)
    empty = config(tmp_path, "")
    args = ["db", "prune", "--keep", "7d", "--dry-run", "--db", str(db), "-c", str(empty)]
    try:
        zh = " ".join(invoke(["--lang", "zh-CN", *args]).output.split())
    finally:
        i18n.set_language(None)
    en = " ".join(invoke(args).output.split())
    figures = re.search(r"Would remove ([\d,]+) of ([\d,]+) checks older than (\S+ \S+) UTC", en)
    assert figures is not None and "(2 accounts); kept " in en, en
    removed, examined, cutoff = figures.groups()
    said = f"将删除 {removed} 条检查记录（共 {examined} 条早于 {cutoff} UTC，2 个账户）；保留 "
    assert said in zh, zh
    assert " （" not in zh and "中的" not in zh
    assert stored(db) == total  # a dry run deletes nothing
