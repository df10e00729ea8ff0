"""Bulk key checking (`topup keys check`): key files in, one ordered row per key out.

``reading`` (plain or CSV key files, streamed), ``detect`` (which platform a bare key
belongs to), ``accounts`` (a line → an account, or why not), ``ordered`` (concurrent work,
results in order, bounded memory), ``rows`` (the output row, CSV and JSON Lines) and ``run``
(all of it over one shared runner).
"""

from __future__ import annotations

from topup.keys.accounts import Defaults, prepare
from topup.keys.detect import Detection, Rules, build_rules, key_field, rules
from topup.keys.reading import COLUMNS, KeyFile, KeyLine, open_keys
from topup.keys.rows import ROW_FIELDS, CsvRows, JsonRows, KeyRow
from topup.keys.run import check_lines

__all__ = [
    "COLUMNS",
    "ROW_FIELDS",
    "CsvRows",
    "Defaults",
    "Detection",
    "JsonRows",
    "KeyFile",
    "KeyLine",
    "KeyRow",
    "Rules",
    "build_rules",
    "check_lines",
    "key_field",
    "open_keys",
    "prepare",
    "rules",
]
