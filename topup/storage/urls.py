"""Where the history lives by default: ``topup.db`` in the user data directory."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

DEFAULT_FILENAME = "topup.db"


def default_path() -> Path:
    """The default SQLite file, e.g. ``~/.local/share/topup/topup.db`` on Linux."""
    return Path(user_data_dir("topup")) / DEFAULT_FILENAME


def default_url() -> str:
    """The default database URL; creates the data directory if it is missing."""
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_url(path)


def sqlite_url(path: Path | str) -> str:
    """A SQLAlchemy URL for a SQLite file."""
    return f"sqlite+pysqlite:///{Path(path).resolve()}"
