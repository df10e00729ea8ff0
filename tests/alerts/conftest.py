"""Fixtures: a real SQLite store, a real loopback receiver, and synthetic check results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from topup.storage import Store, sqlite_url

from .receiver import Receiver


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(sqlite_url(db_path)) as s:
        yield s


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r
