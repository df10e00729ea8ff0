"""One structured, secret-free log line per check (logfmt: ``key=value`` pairs)."""

from __future__ import annotations

import re

from topup.model import CheckResult
from topup.serialize import decimal_str

_BARE = re.compile(r"^[A-Za-z0-9_.:/+@-]+$")


def quote(value: object) -> str:
    text = str(value)
    if _BARE.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def check_line(result: CheckResult) -> str:
    """``check account=sf provider=siliconflow status=ok balance=88.88 currency=USD ...``."""
    pairs: list[tuple[str, object]] = [
        ("account", result.account),
        ("provider", result.provider),
        ("status", result.status.value),
    ]
    if result.balance is not None:
        pairs.append(("balance", decimal_str(result.balance)))
    if result.unlimited:
        pairs.append(("unlimited", "true"))
    if result.currency:
        pairs.append(("currency", result.currency))
    if result.duration is not None:
        pairs.append(("duration_ms", round(result.duration * 1000)))
    if result.message:
        pairs.append(("message", result.message))
    return "check " + " ".join(f"{k}={quote(v)}" for k, v in pairs)
