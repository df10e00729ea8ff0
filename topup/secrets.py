"""Secrets: one wrapper that never prints its value, one mask, one set of field names to drop.

Every credential read from a config is a :class:`Secret`; its ``str``/``repr`` are masked, so a
secret that slips into an f-string, a log record or an exception prints as ``sk-ab…wxyz``. Every
platform answer, successful or failed, goes through :func:`strip_secret_fields` at the parse
boundary, and every text a platform chose goes through :mod:`topup.sanitize` (which uses
:data:`SECRET_FIELDS` for unparsed text and :func:`scrub` for the account's credentials).
"""

from __future__ import annotations

import hashlib
import re
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
    """Show just enough of a credential to recognise it: ``sk-ab…wxyz``; the shorter the
    credential, the less of it (never more than about a third)."""
    if len(value) >= 24:
        return f"{value[:5]}{ELLIPSIS}{value[-4:]}"
    if len(value) >= 16:
        return f"{value[:3]}{ELLIPSIS}{value[-2:]}"
    if len(value) >= 8:
        return f"{value[:2]}{ELLIPSIS}"
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
    """Replace every occurrence of each secret's value in ``text`` by its mask.

    For one account's few secrets; many secrets and many texts: :class:`Scrubber`."""
    scrubber = Scrubber(secrets)
    if not any(form in text for form in scrubber.forms):
        return text  # the common case, without building an expression
    return scrubber.scrub(text)


class Scrubber:
    """Masks many secrets in one pass over a text, whatever their number.

    Each secret of 4 characters or more is looked for as written and as it appears inside a
    quoted ``repr()`` or bytes (escaped); an occurrence is replaced by the secret's mask, the
    longest secret winning where one contains another. The forms are merged into one regular
    expression shaped like a trie (common prefixes written once), so a text costs one scan
    however many secrets there are: 10,000 accounts' keys cost microseconds per log line, not
    the 10 ms a loop over every secret did. The expression is built on first use.
    """

    __slots__ = ("_masks", "_pattern")

    def __init__(self, secrets: Iterable[Secret | str]) -> None:
        self._masks: dict[str, str] = {}
        for secret in secrets:
            raw = secret.reveal() if isinstance(secret, Secret) else secret
            if len(raw) < 4:
                continue
            escaped = repr(raw)[1:-1]  # as it appears inside a quoted repr() or bytes
            for form in (raw, escaped):
                self._masks.setdefault(form, mask(raw))
        self._pattern: re.Pattern[str] | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        """Every text that is replaced (each secret as written, and escaped)."""
        return tuple(self._masks)

    def scrub(self, text: str) -> str:
        if not self._masks:
            return text
        if self._pattern is None:
            self._pattern = re.compile(_trie(sorted(self._masks)))
        return self._pattern.sub(self._replace, text)

    __call__ = scrub

    def _replace(self, match: re.Match[str]) -> str:
        return self._masks[match.group()]


def _trie(words: list[str]) -> str:
    """A regular expression matching any of the sorted, distinct ``words``, longest first."""
    parts: list[str] = []
    _branch(words, 0, parts)
    return "".join(parts)


def _branch(words: list[str], depth: int, out: list[str]) -> None:
    """Append the alternatives of ``words`` (sorted, sharing their first ``depth`` characters)."""
    ends = words[0] == words[0][:depth] and len(words[0]) == depth
    rest = words[1:] if ends else words
    groups: list[list[str]] = []
    for word in rest:
        if groups and groups[-1][0][depth] == word[depth]:
            groups[-1].append(word)
        else:
            groups.append([word])
    if ends or len(groups) > 1:
        out.append("(?:")
    for index, group in enumerate(groups):
        if index:
            out.append("|")
        if len(group) == 1:
            out.append(re.escape(group[0][depth:]))
            continue
        shared = _common_prefix(group[0], group[-1], depth + 1)
        out.append(re.escape(group[0][depth:shared]))
        _branch(group, shared, out)
    if ends:
        out.append(")?")
    elif len(groups) > 1:
        out.append(")")


def _common_prefix(first: str, last: str, start: int) -> int:
    """How far the sorted group's first and last word (so all of it) agree, from ``start``."""
    end = min(len(first), len(last))
    while start < end and first[start] == last[start]:
        start += 1
    return start


def fingerprint(*parts: str) -> str:
    """A short, stable, one-way identifier of a credential (never the credential itself)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]
