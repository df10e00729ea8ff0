"""Durations in the config and on the command line: ``90``, ``"90s"``, ``"15m"``, ``"2h"``."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> float | None:
    """``90``, ``"90s"``, ``"15m"``, ``"2h"``, ``"30d"`` → seconds (None when not a duration)."""
    if isinstance(value, bool):
        return None
    seconds: float | None = None
    if isinstance(value, int | float | Decimal):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value.lower())
        if match:
            seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds is None or not math.isfinite(seconds):
        return None
    return seconds
