"""Located config errors: the file line of a key in ``[alerts]`` or in an account's ``alerts``.

Every problem in an alerts table is a :class:`~topup.errors.ConfigError` naming the file, the
line and the account; :class:`Where` builds them for one table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from topup.config import Config
from topup.errors import ConfigError


class Where:
    """Builds located errors for one table (``account`` None: the ``[alerts]`` table)."""

    def __init__(
        self, path: Path | None, text: str | None, table: str, account: str | None = None
    ) -> None:
        self.path = path
        self.text = text
        self.table = table
        self.account = account

    def error(self, key: str | None, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(
            message, path=self.path, line=self.line(key), account=self.account, hint=hint
        )

    def line(self, key: str | None) -> int | None:
        if not self.text:
            return None
        lines = self.text.splitlines()
        if self.account is None:
            start = _first(lines, _ALERTS_HEADER, 1, len(lines))
            if start is None:
                return None
            end = _first(lines, _ANY_HEADER, start + 1, len(lines))
            stop = (end - 1) if end else len(lines)
            found = _first(lines, _key(key), start + 1, stop) if key else None
            return found or start
        name = _first(lines, _name(self.account), 1, len(lines))
        if name is None:
            return None
        start = _last(lines, _ACCOUNT_HEADER, 1, name) or name
        end = _first(lines, _ACCOUNT_END, start + 1, len(lines))
        stop = (end - 1) if end else len(lines)
        alerts = _first(lines, _ALERTS_KEY, start, stop)
        if alerts is None:
            return name
        found = _first(lines, _key(key), alerts, stop) if key else None
        return found or alerts


_ALERTS_HEADER = re.compile(r"^\s*\[\s*alerts\s*\]")
_ANY_HEADER = re.compile(r"^\s*\[")
_ACCOUNT_HEADER = re.compile(r"^\s*\[\[\s*accounts\s*\]\]")
_ACCOUNT_END = re.compile(r"^\s*\[(\[\s*accounts\s*\]\]|(?!\s*accounts\.))")
_ALERTS_KEY = re.compile(r"^\s*(alerts\s*=|\[\s*accounts\.alerts\s*\])")


def _key(key: str) -> re.Pattern[str]:
    return re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=")


def _name(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*name\s*=\s*[\"']{re.escape(name)}[\"']")


def _first(lines: Sequence[str], pattern: re.Pattern[str], start: int, stop: int) -> int | None:
    for number in range(max(start, 1), min(stop, len(lines)) + 1):
        if pattern.search(lines[number - 1]):
            return number
    return None


def _last(lines: Sequence[str], pattern: re.Pattern[str], start: int, stop: int) -> int | None:
    for number in range(min(stop, len(lines)), max(start, 1) - 1, -1):
        if pattern.search(lines[number - 1]):
            return number
    return None


def config_text(config: Config) -> str | None:
    """The config file's text, to find lines in (None without a readable file)."""
    if config.path is None:
        return None
    try:
        return config.path.read_text(encoding="utf-8")
    except OSError:
        return None
