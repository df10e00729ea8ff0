"""One output row per key line, and its CSV and JSON Lines forms (written as they come).

The columns are :data:`ROW_FIELDS`. The key is shown masked (:func:`topup.secrets.mask`:
``sk-ab…wxyz``) and identified by :func:`topup.secrets.fingerprint` of the key alone (16 hex
characters of a SHA-256), never by the key itself. Amounts are decimal strings or empty/null,
as in ``topup check --csv``/``--json`` (:mod:`topup.serialize`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from topup.keys.reading import KeyLine
from topup.model import CheckResult
from topup.secrets import fingerprint, mask
from topup.serialize import csv_cell, json_value

#: The columns of ``topup keys check --csv`` / ``--json``, in order. Append only.
ROW_FIELDS = (
    "line",
    "name",
    "key",
    "fingerprint",
    "provider",
    "status",
    "balance",
    "currency",
    "used",
    "message",
)


@dataclass(frozen=True, slots=True)
class KeyRow:
    """A key line's result, without the key."""

    line: int
    key: str
    fingerprint: str
    result: CheckResult

    @classmethod
    def of(cls, line: KeyLine, result: CheckResult) -> KeyRow:
        return cls(line.line, mask(line.key), fingerprint(line.key), result)

    @property
    def message(self) -> str | None:
        if self.result.message is None and self.result.unlimited:
            return "unlimited"
        return self.result.message

    def values(self) -> dict[str, Any]:
        """The row as JSON values, in :data:`ROW_FIELDS` order."""
        r = self.result
        return {
            "line": self.line,
            "name": r.account,
            "key": self.key,
            "fingerprint": self.fingerprint,
            "provider": r.provider or None,
            "status": json_value(r.status),
            "balance": json_value(r.balance),
            "currency": r.currency,
            "used": json_value(r.used),
            "message": self.message,
        }


class RowWriter(Protocol):
    def write(self, row: KeyRow) -> None: ...

    def close(self) -> None: ...


class CsvRows:
    """CSV with a header line; one line per row, written as it comes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(ROW_FIELDS)

    def write(self, row: KeyRow) -> None:
        self.writer.writerow([csv_cell(v) for v in row.values().values()])

    def close(self) -> None:
        self.stream.flush()


class JsonRows:
    """JSON Lines: one JSON object per row, one row per line, written as it comes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, row: KeyRow) -> None:
        self.stream.write(json.dumps(row.values(), ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.stream.flush()
