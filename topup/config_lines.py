"""Where in the config text a key, a table or a syntax problem is: for located errors.

The TOML parser gives values, not positions; these helpers find a key's own line again (bare or
quoted, any script), the line where an ``[[accounts]]`` table starts, and the most deeply
nested line of a file the parser gave up on.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable

from topup.i18n import gettext as _

#: An ``[[accounts]]`` header line.
ACCOUNT_HEADER = re.compile(r"^\s*\[\[\s*accounts\s*\]\]\s*(#.*)?$")
#: Any table header line: ``[name]``, ``[[name]]``, ``[a.b]``; group 1 is the table's name.
_TABLE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
#: The first key of a line: bare or quoted, then ``=``, ``.`` (dotted) or ``]`` (a header).
_KEY = re.compile(
    r"""^\s*(?:\[\[?\s*)?(?P<key>[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')\s*[=.\]]"""
)


def account_lines(text: str) -> list[int]:
    """The line of each ``[[accounts]]`` header, in order."""
    return [
        number for number, line in enumerate(text.splitlines(), 1) if ACCOUNT_HEADER.match(line)
    ]


def find_line(text: str, key: str, after: int = 0) -> int | None:
    """The line where ``key`` is set or its table starts (None when not found).

    With ``after`` (a table's header line) only that table is searched, up to the next header
    that is not one of its sub-tables.
    """
    lines = text.splitlines()
    table: str | None = None
    if 0 < after <= len(lines):
        header = _TABLE.match(lines[after - 1])
        table = _unquote(header.group(1)) if header else None
    for number in range(max(after, 1), len(lines) + 1):
        line = lines[number - 1]
        if after and number > after and _ends_table(line, table):
            break
        if key_of(line) == key:
            return number
    return None


def key_of(line: str) -> str | None:
    """The first key a line sets or the table it opens (quoted keys decoded)."""
    match = _KEY.match(line)
    return _unquote(match.group("key")) if match else None


def _ends_table(line: str, table: str | None) -> bool:
    """True when ``line`` is a header that is not a sub-table of ``table``."""
    header = _TABLE.match(line)
    if header is None:
        return False
    if table is None:
        return True
    name = header.group(1)
    first = _unquote(name.split(".")[0].strip())
    return not ("." in name and first == _unquote(table.split(".")[0].strip()))


def _unquote(token: str) -> str:
    if token.startswith('"'):
        try:
            return str(tomllib.loads(f"k = {token}")["k"])
        except tomllib.TOMLDecodeError:
            return token[1:-1]
    if token.startswith("'"):
        return token[1:-1]
    return token


def decode_line(message: str) -> int | None:
    """The line number in a :class:`tomllib.TOMLDecodeError` message."""
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


def deepest_line(text: str) -> int | None:
    """The first line where arrays and inline tables are nested deepest (None: no nesting).

    Strings and comments are skipped; a ``[`` that starts a line outside any value is a header.
    """
    depth = deepest = 0
    where: int | None = None
    line, i, n = 1, 0, len(text)
    line_start = True
    while i < n:
        ch = text[i]
        if ch == "\n":
            line, line_start, i = line + 1, True, i + 1
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "#" or (ch == "[" and depth == 0 and line_start):  # a comment or a header
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        line_start = False
        if ch in "\"'":
            i, line = _skip_string(text, i, line)
            continue
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, line
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return where


def _skip_string(text: str, i: int, line: int) -> tuple[int, int]:
    """Past the string starting at ``i``; the line it ends on."""
    quote = text[i]
    delimiter = quote * 3 if text.startswith(quote * 3, i) else quote
    j = i + len(delimiter)
    while j < len(text):
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text.startswith(delimiter, j):
            j += len(delimiter)
            break
        if text[j] == "\n":
            if len(delimiter) == 1:  # an unterminated one-line string ends at its line
                break
            line += 1
        j += 1
    return j, line


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest choice, if any is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return _("did you mean {name}?").format(name=repr(close[0])) if close else None
