"""Secrets: one wrapper that never prints its value, one mask, one set of field names to drop.

Every credential read from a config is a :class:`Secret`; its ``str``/``repr`` are masked, so a
secret that slips into an f-string, a log record or an exception prints as ``sk-ab…wxyz``. Every
platform answer, successful or failed, goes through :func:`strip_secret_fields` at the parse
boundary, and every text a platform chose goes through :mod:`topup.sanitize` (which uses
:data:`SECRET_FIELDS` for unparsed text and :func:`scrub` for the account's credentials).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

ELLIPSIS = "…"

#: Field names whose values are credentials wherever they appear in a platform's answer.
SECRET_FIELDS: frozenset[str] = frozenset(
    {
        "password",
        "access_token",
        "accesstoken",
        "refresh_token",
        "verification_code",
        "api_key",
        "apikey",
        "secret",
        "secret_key",
        "token",
        "key",
        "session",
        "cookie",
        "authorization",
        "otp",
        "totp_secret",
    }
)


def mask(value: str) -> str:
    """Show just enough of a credential to recognise it: ``sk-ab…wxyz``."""
    if len(value) >= 16:
        return f"{value[:5]}{ELLIPSIS}{value[-4:]}"
    if len(value) >= 8:
        return f"{value[:2]}{ELLIPSIS}{value[-2:]}"
    return ELLIPSIS


class Secret:
    """A credential. Its value is reachable only through :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def strip_secret_fields(obj: Any) -> Any:
    """Return ``obj`` with every secret-named field removed, at any depth."""
    if isinstance(obj, dict):
        return {
            k: strip_secret_fields(v)
            for k, v in obj.items()
            if not (isinstance(k, str) and k.lower() in SECRET_FIELDS)
        }
    if isinstance(obj, list):
        return [strip_secret_fields(v) for v in obj]
    return obj


def scrub(text: str, secrets: Iterable[Secret | str]) -> str:
    """Replace every occurrence of each secret's value in ``text`` by its mask."""
    for secret in secrets:
        raw = secret.reveal() if isinstance(secret, Secret) else secret
        if len(raw) < 4:
            continue
        escaped = repr(raw)[1:-1]  # as it appears inside a quoted repr() or bytes
        for form in {raw, escaped}:
            if form in text:
                text = text.replace(form, mask(raw))
    return text


def fingerprint(*parts: str) -> str:
    """A short, stable, one-way identifier of a credential (never the credential itself)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]
