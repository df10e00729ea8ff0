"""Crash consistency: SIGKILL a writer at a random moment; every reported commit survives."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from topup.storage import Store, sqlite_url

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(db: Path, first: int, delay: float) -> list[int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(first)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    committed: list[int] = []
    started = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("committed "):
                committed.append(int(line.split()[1]))
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert started.wait(30), child.stderr.read() if child.stderr else "child never committed"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    reader.join(10)
    assert child.returncode == -signal.SIGKILL
    return committed


def test_sigkill_never_loses_a_reported_commit(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    rng = random.Random()
    reported: list[int] = []
    next_batch = 0
    for _ in range(3):
        got = run_and_kill(db, next_batch, rng.uniform(0.05, 0.8))
        assert got, "the child committed nothing before the kill"
        reported += got
        next_batch = got[-1] + 2  # a batch may have committed without being reported
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        with Store.open(sqlite_url(db)) as store:
            stored = {
                int(c.message.split()[1])
                for c in store.check_history("acct9")
                if c.message is not None
            }
            assert set(reported) <= stored
            # Batches are all-or-nothing: every account has the same batches.
            assert {
                int(c.message.split()[1])
                for c in store.check_history("acct0")
                if c.message is not None
            } == stored
