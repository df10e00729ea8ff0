"""`topup status` keeps the line it printed for a minute: the next run with the same arguments,
environment and unchanged config and history prints the same bytes and exits the same way
without importing Typer or SQLAlchemy; any change, `--fresh`, `--no-cache` or age is a miss."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import recorded

from topup import entry
from topup.storage import Store, sqlite_url


def record(db: Path, name: str, balance: str, currency: str = "USD") -> None:
    with Store.open(sqlite_url(db)) as store:
        recorded.record(store, name, balance, currency)


def age(*paths: Path) -> None:
    """Date the files a minute back, as a history written before the run (a file modified
    just now is not trusted to show a later change by its time stamp, so its line is not
    kept)."""
    then = time.time() - 60
    for path in paths:
        if path.exists():
            os.utime(path, (then, then))


class History:
    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path
        self.db = tmp_path / "h.db"
        self.config = tmp_path / "config.toml"
        self.cache = tmp_path / "cache" / "topup"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "TOPUP_LANG": "en",
        }

    def write_config(self, text: str) -> None:
        self.config.write_text(text, encoding="utf-8")
        age(self.config)

    def record(self, name: str, balance: str, currency: str = "USD") -> None:
        record(self.db, name, balance, currency)

    def age(self) -> None:
        age(self.db, self.db.with_name("h.db-wal"), self.config)

    def args(self, *extra: str) -> list[str]:
        return ["status", "--db", str(self.db), "-c", str(self.config), *extra]

    def run(self, *extra: str, **env: str) -> subprocess.CompletedProcess[bytes]:
        """``topup status`` in a process of its own, with the imports it made on stderr."""
        return subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "topup.entry", *self.args(*extra)],
            capture_output=True,
            env={**self.env, **env},
            cwd=self.root,
            timeout=60,
        )

    def kept(self) -> list[Path]:
        return sorted(self.cache.glob("line-*.json"))


def imported(done: subprocess.CompletedProcess[bytes], *names: str) -> set[str]:
    """Which of ``names`` (top-level packages) the run imported (``-X importtime`` lines)."""
    found = set()
    for line in done.stderr.decode().splitlines():
        if line.startswith("import time:"):
            module = line.rsplit("|", 1)[-1].strip()
            found.add(module.split(".")[0])
    return found & set(names)


@pytest.fixture
def history(tmp_path: Path) -> History:
    made = History(tmp_path)
    made.write_config('[[accounts]]\nname = "a"\nmin_balance = 5\n[[accounts]]\nname = "b"\n')
    made.record("a", "2.50")
    made.record("b", "40", "CNY")
    made.age()
    return made


def test_a_kept_line_is_the_same_bytes_and_exit_status_without_typer_or_sqlalchemy(
    history: History,
) -> None:
    first = history.run()
    assert imported(first, "typer", "sqlalchemy") == {"typer", "sqlalchemy"}
    assert len(history.kept()) == 1
    second = history.run()
    assert (second.stdout, second.returncode) == (first.stdout, first.returncode)
    assert first.returncode == 3  # a is low: the exit status is kept with the line
    assert first.stdout.decode() == "⚠ 1 needs attention: a low $2.50 | 1 ok\n"
    assert imported(second, "typer", "sqlalchemy", "click", "rich") == set()


def test_formats_and_plain_lines_are_kept_each_under_their_own_arguments(
    history: History,
) -> None:
    variants = [("--plain",), ("--format", "{total[CNY]} {balance[a]}"), ("--no-runway",)]
    uncached = [history.run(*args) for args in variants]
    cached = [history.run(*args) for args in variants]
    assert [(d.stdout, d.returncode) for d in cached] == [
        (d.stdout, d.returncode) for d in uncached
    ]
    assert cached[1].stdout == b"\xc2\xa540.00 $2.50\n"
    assert all(imported(d, "sqlalchemy") == set() for d in cached)
    assert len(history.kept()) == 3


def test_a_new_check_is_a_miss_that_shows_the_new_value(history: History) -> None:
    history.run()
    history.record("a", "9.75")
    done = history.run()
    assert imported(done, "sqlalchemy") == {"sqlalchemy"}
    assert (done.stdout.decode(), done.returncode) == ("✓ 2 ok · ¥40.00 · $9.75\n", 0)
    assert imported(history.run(), "sqlalchemy") == {"sqlalchemy"}  # just written: not kept
    history.age()
    history.run()
    again = history.run()
    assert (imported(again, "sqlalchemy"), again.stdout) == (set(), done.stdout)


def test_a_changed_config_is_a_miss(history: History) -> None:
    history.run()
    history.write_config('[[accounts]]\nname = "a"\n[[accounts]]\nname = "b"\n')
    done = history.run()
    assert imported(done, "sqlalchemy") == {"sqlalchemy"}
    assert (done.stdout.decode(), done.returncode) == ("✓ 2 ok · ¥40.00 · $2.50\n", 0)


def test_another_language_or_terminal_is_a_miss(history: History) -> None:
    history.run()
    chinese = history.run(TOPUP_LANG="zh-CN")
    assert imported(chinese, "sqlalchemy") == {"sqlalchemy"}
    assert chinese.stdout.decode() == "⚠ 1 个需要关注：a 余额不足 $2.50 | 1 正常\n"
    on_terminal = run_on_terminal(history)
    assert "\x1b[33m⚠\x1b[0m" in on_terminal  # coloured: not the line kept for a pipe
    assert run_on_terminal(history) == on_terminal
    assert len(history.kept()) == 3


def run_on_terminal(history: History) -> str:
    """The output of ``topup status`` with a terminal as its stdout."""
    main, child = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "topup.entry", *history.args()],
            stdout=child,
            env=history.env,
            cwd=history.root,
            timeout=60,
        )
        os.close(child)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(main)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("flag", ["--fresh", "--no-cache"])
def test_fresh_and_no_cache_read_the_history(history: History, flag: str) -> None:
    kept = history.run()
    done = history.run(flag)
    assert imported(done, "sqlalchemy") == {"sqlalchemy"}
    assert (done.stdout, done.returncode) == (kept.stdout, kept.returncode)


def test_a_kept_line_answers_for_a_minute_only(history: History) -> None:
    history.run()
    (path,) = history.kept()
    kept = json.loads(path.read_text(encoding="utf-8"))
    written, key = kept["at"], kept["key"]
    env = tuple((name, value) for name, value in key["env"])  # as the run saw it (locale coercion)
    request = entry.Request(tuple(key["args"]), key["cwd"], key["tty"], env)
    assert request == entry.request(history.args(), dict(env), tty=False, cwd=str(history.root))
    hit = entry.lookup(request, now=written + 59, folder=history.cache)
    assert hit is not None and hit.exit_code == 3
    assert entry.lookup(request, now=written + entry.TTL, folder=history.cache) is None
    assert entry.lookup(request, now=written - 1, folder=history.cache) is None


def test_a_corrupt_entry_is_a_miss_and_is_replaced(history: History) -> None:
    first = history.run()
    (path,) = history.kept()
    for garbage in ("{not json", '{"version": 1, "key": 3}', "[]"):
        path.write_text(garbage, encoding="utf-8")
        done = history.run()
        assert imported(done, "sqlalchemy") == {"sqlalchemy"}
        assert (done.stdout, done.returncode) == (first.stdout, first.returncode)
    assert imported(history.run(), "sqlalchemy") == set()


def test_errors_are_not_kept(tmp_path: Path) -> None:
    empty = History(tmp_path)
    empty.write_config("")
    for _ in range(2):
        done = empty.run()
        assert done.returncode == 2 and b"no history yet" in done.stderr
    assert empty.kept() == []


@pytest.mark.parametrize(
    ("argv", "answered"),
    [
        (["status"], True),
        (["status", "--format", "{ok}", "-f", "x", "--each", "{name}", "--plain"], True),
        (["status", "--db=h.db", "--config=c.toml", "-c", "c", "--no-runway", "--runway"], True),
        (["status", "--help"], False),
        (["status", "--fresh"], False),
        (["status", "--no-cache"], False),
        (["status", "--format"], False),
        (["status", "-fx"], False),
        (["status", "--plain=yes"], False),
        (["status", "extra"], False),
        (["status", "--", "--plain"], False),
        (["--lang", "zh-CN", "status"], False),
        (["check"], False),
        ([], False),
    ],
)
def test_only_status_with_known_options_is_answered_from_the_cache(
    argv: list[str], answered: bool
) -> None:
    assert (entry.request(argv, {}, tty=False) is not None) is answered


def test_the_topup_command_starts_at_the_light_entry() -> None:
    (script,) = entry_points(group="console_scripts", name="topup")
    assert script.value == "topup.entry:main"


def test_the_fast_path_knows_only_options_the_status_command_has() -> None:
    """entry.py screens arguments without loading the CLI: each option it accepts must be one
    `topup status` declares, taking a value exactly when the command's option does."""
    import topup.cli
    from topup.cli.lazy import build

    (status,) = (e for e in topup.cli.COMMANDS if e.name == "status")
    declared = {
        name: not getattr(param, "is_flag", False)
        for param in build(status).params
        for name in (*param.opts, *param.secondary_opts)
    }
    assert all(declared.get(name) is True for name in entry.VALUED), declared
    assert all(declared.get(name) is False for name in entry.FLAGS), declared
