"""Reading a key file, one line at a time: plain keys, or CSV with a header.

A plain file holds one key per line. A file whose first line that is not blank or a ``#``
comment names the column ``key`` is CSV: columns ``key`` and optional ``provider``,
``base_url`` and ``name``, in any order. Blank lines and ``#`` comments are skipped but keep
their line numbers, so every row points at its line in the file.

The file is never read whole: lines are read one by one, each at most :data:`MAX_LINE`
characters (a longer one becomes a row saying so, without reading it into memory). A problem
with the file as a whole (cannot be opened, an unknown column) is a located
:class:`~topup.errors.ConfigError` raised before any key is read; a problem with one line is
that line's :attr:`KeyLine.problem`.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from topup.config_lines import suggest
from topup.errors import ConfigError
from topup.i18n import gettext as _

#: Longest line read, in characters.
MAX_LINE = 16 * 1024
#: The columns a CSV key file may have (``key`` is required).
COLUMNS = ("key", "provider", "base_url", "name")
STDIN = "-"

__all__ = ["COLUMNS", "MAX_LINE", "STDIN", "KeyFile", "KeyLine", "count_lines", "open_keys"]
_SEPARATORS = frozenset(" \t,;")
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class KeyLine:
    """One key of the file, with what its line says about it."""

    line: int
    key: str
    provider: str | None = None
    base_url: str | None = None
    name: str | None = None
    #: Why the line cannot be checked as written (None: it can be tried).
    problem: str | None = None


def file_problem(exc: OSError) -> str:
    """What stopped a file being read, in our words and the reader's language (the system's
    own text, in English, only for a rarer failure)."""
    if isinstance(exc, FileNotFoundError):
        return _("file not found")
    if isinstance(exc, IsADirectoryError):
        return _("it is a directory, not a file")
    if isinstance(exc, PermissionError):
        return _("not readable (permission denied)")
    return exc.strerror or type(exc).__name__


class KeyFile:
    """A key file (or stdin) opened for reading; iterate it for its :class:`KeyLine` s."""

    def __init__(self, stream: IO[str], label: str, *, owned: bool = False) -> None:
        self.stream = stream
        self.label = label
        self._owned = owned
        self._number = 0
        #: The CSV columns in file order, or None for one key per line.
        self.columns: tuple[str, ...] | None = None
        self._first: tuple[int, str, bool] | None = self._header()

    def close(self) -> None:
        if self._owned:
            self.stream.close()

    def __enter__(self) -> KeyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[KeyLine]:
        if self._first is not None:
            first, self._first = self._first, None
            yield self._parse(*first)
        while (read := self._next()) is not None:
            number, text, too_long = read
            if too_long or not _skipped(text):
                yield self._parse(number, text, too_long)

    # -- internals ----------------------------------------------------------------------
    def _next(self) -> tuple[int, str, bool] | None:
        """The next physical line (number, text without its line break, too long?)."""
        try:
            text = self.stream.readline(MAX_LINE + 1)
            if not text:
                return None
            self._number += 1
            too_long = len(text) > MAX_LINE and text[-1] not in "\r\n"
            rest = text
            while too_long and rest and rest[-1] not in "\r\n":  # skip the rest, in chunks
                rest = self.stream.readline(_CHUNK)
        except OSError as exc:
            raise ConfigError(
                _("cannot read the key file: {error}").format(error=file_problem(exc)),
                path=self.label,
                line=self._number + 1,
            ) from None
        return self._number, ("" if too_long else text.rstrip("\r\n")), too_long

    def _header(self) -> tuple[int, str, bool] | None:
        """Read up to the first meaningful line; consume it if it is a CSV header."""
        while (read := self._next()) is not None:
            number, text, too_long = read
            if not too_long and _skipped(text):
                continue
            cells = [c.strip().lower() for c in _cells(text)] if not too_long else []
            if "key" not in cells:
                return read
            self.columns = self._columns(cells, number)
            return None
        return None

    def _columns(self, cells: list[str], number: int) -> tuple[str, ...]:
        for index, cell in enumerate(cells):
            if cell not in COLUMNS:
                raise ConfigError(
                    _("unknown column {name} in the CSV header").format(name=repr(cell)),
                    path=self.label,
                    line=number,
                    hint=suggest(cell, COLUMNS)
                    or _("columns: {names} (key required)").format(names=", ".join(COLUMNS)),
                )
            if cell in cells[:index]:
                raise ConfigError(
                    _("column {name} appears twice in the CSV header").format(name=repr(cell)),
                    path=self.label,
                    line=number,
                )
        return tuple(cells)

    def _parse(self, number: int, text: str, too_long: bool) -> KeyLine:
        if too_long:
            return KeyLine(number, "", problem=f"line longer than {MAX_LINE} characters")
        if "\ufffd" in text:
            key = text.strip()
            return KeyLine(number, key, problem="the line is not valid UTF-8")
        if self.columns is None:
            return _plain(number, text.strip())
        cells = [c.strip() for c in _cells(text)]
        values = dict(zip(self.columns, cells, strict=False))
        key = values.get("key", "")
        if len(cells) != len(self.columns):
            return KeyLine(
                number,
                key,
                problem=f"{len(cells)} values, but the header has {len(self.columns)} columns",
            )
        if not key:
            return KeyLine(number, key, problem="no key in the key column")
        return KeyLine(
            number,
            key,
            provider=values.get("provider") or None,
            base_url=values.get("base_url") or None,
            name=values.get("name") or None,
        )


def open_keys(source: str) -> KeyFile:
    """``source`` (a path, or ``-`` for stdin) opened as a :class:`KeyFile`.

    Raises a :class:`ConfigError` naming the file when it cannot be read or its header is wrong.
    """
    if source == STDIN:
        buffer = getattr(sys.stdin, "buffer", None)
        stream: IO[str] = (
            io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline="")
            if buffer is not None
            else sys.stdin
        )
        return KeyFile(stream, "<stdin>")
    path = Path(source).expanduser()
    try:
        stream = path.open(encoding="utf-8-sig", errors="replace", newline="")
    except OSError as exc:
        raise ConfigError(
            _("cannot read the key file: {error}").format(error=file_problem(exc)),
            path=path,
            hint=_("give a file with one key per line, or - for stdin"),
        ) from None
    try:
        return KeyFile(stream, str(path), owned=True)
    except BaseException:
        stream.close()
        raise


def count_lines(source: str) -> int | None:
    """How many lines a regular file has (for a progress bar), read in chunks; None for stdin
    or anything that is not a regular file."""
    if source == STDIN:
        return None
    path = Path(source).expanduser()
    try:
        if not path.is_file():
            return None
        count, last = 0, b"\n"
        with path.open("rb") as stream:
            while chunk := stream.read(1024 * 1024):
                count += chunk.count(b"\n")
                last = chunk[-1:]
        return count + (last != b"\n")
    except OSError:
        return None


def _skipped(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def _cells(text: str) -> list[str]:
    return next(csv.reader([text]), [])


def _plain(number: int, text: str) -> KeyLine:
    if any(ch in _SEPARATORS for ch in text):
        first = text.replace(",", " ").replace(";", " ").split()[0]
        return KeyLine(
            number,
            first,
            problem="more than one value on the line: a plain key file holds one key per line "
            f"(for more columns, start the file with a CSV header: {','.join(COLUMNS)})",
        )
    return KeyLine(number, text)
