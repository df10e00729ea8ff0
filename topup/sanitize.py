"""Text from a platform, made safe to show: the one sanitising path.

A platform (a relay run by a stranger) chooses every byte of its answers. Before any of that
text reaches a terminal, a log, a file, a database, a web page or a notification it goes
through :func:`platform_text` (where answers are read, in :mod:`topup.platforms.responses`) and
:func:`message` (where a result leaves the runner, with the account's credentials):

* secret-named fields (:data:`~topup.secrets.SECRET_FIELDS`) keep their name but lose their
  value, in JSON-like (``"password": "…"``) and form-like (``password=…``) text, so a body
  that could not be parsed (cut short, not JSON) leaks them no more than a parsed one;
* terminal escape sequences and every control character are removed (line breaks and tabs
  become spaces), and so are the invisible bidirectional overrides that reorder what a reader
  sees; runs of white space become one space;
* the text is cut at ``limit`` characters, with a marker saying how long it was;
* :func:`message` also masks the account's own credentials, including a credential the cut
  went right through.

Each step is idempotent, so text sanitised at the read boundary may safely pass again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from topup.secrets import ELLIPSIS, SECRET_FIELDS, Secret, mask, scrub

#: Longest text kept from a platform, in characters (a message of a result: this plus a prefix).
TEXT_LIMIT = 300
#: Longest message a result carries, in characters.
MESSAGE_LIMIT = 500
REDACTED = "[redacted]"

# Escape sequences: CSI (ESC [ or U+009B, parameters, final byte), OSC/DCS/PM/APC strings
# (ESC ] P X ^ _ or U+009D U+0090 U+0098 U+009E U+009F, up to BEL or ST, at most 512
# characters), and the two-character ones (ESC + one character).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]{0,64}[ -/]{0,16}[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# Control characters (C0, DEL, C1), line/paragraph separators, bidirectional overrides and
# isolates, and the byte-order mark: none of them is ever wanted in a one-line message.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s{2,}")
_NAMES = "|".join(sorted((re.escape(n) for n in SECRET_FIELDS), key=len, reverse=True))
# "name": value (JSON, possibly cut short) and name=value (form/query). Values: a quoted
# string (escapes allowed, closing quote optional), else everything up to a separator.
_PAIRS = re.compile(
    rf"""(?ix)
    (?P<head>(?:"(?:{_NAMES})"|'(?:{_NAMES})')\s*:\s*|(?<![\w-])(?:{_NAMES})=)
    (?P<value>"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,;&}}\]"']+)
    """
)


def remove_controls(text: str) -> str:
    """``text`` on one line without escape sequences, control or direction characters."""
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub(lambda m: " " if m.group() in "\t\n\r\x0b\x0c\u2028\u2029" else "", text)
    return _SPACES.sub(" ", text).strip()


def redact_pairs(text: str) -> str:
    """Drop the values of secret-named fields from JSON-like or form-like text."""

    def replace(match: re.Match[str]) -> str:
        value = match.group("value")
        if value.strip("\"'") == REDACTED:
            return match.group(0)
        quote = value[0] if value[0] in "\"'" else ""
        return f"{match.group('head')}{quote}{REDACTED}{quote}"

    return _PAIRS.sub(replace, text)


def cap(text: str, limit: int, total: int | None = None) -> str:
    """``text`` cut to at most ``limit`` characters, with a marker saying it was cut."""
    total = len(text) if total is None else total
    if total <= limit and len(text) <= limit:
        return text
    marker = f"{ELLIPSIS}[{total} chars]"
    keep = max(0, limit - len(marker))
    return text[:keep].rstrip() + marker


def platform_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """Any text a platform chose, safe to show anywhere (without credential masking)."""
    total = len(text)
    # Only the head can be kept: bound the work (a hostile message may be megabytes).
    head = text[: limit * 4 + 256]
    cleaned = redact_pairs(remove_controls(head))
    return cap(cleaned, limit, total if total > len(head) else None)


def message(text: str, secrets: Iterable[Secret]) -> str:
    """A result's message as it may leave the runner: sanitised, credentials masked."""
    secrets = tuple(secrets)
    total = len(text)
    head = text[: MESSAGE_LIMIT * 4 + 256]
    cleaned = redact_pairs(scrub(remove_controls(head), secrets))
    return scrub_cut(cap(cleaned, MESSAGE_LIMIT, total if total > len(head) else None), secrets)


def scrub_cut(text: str, secrets: Iterable[Secret]) -> str:
    """:func:`~topup.secrets.scrub`, plus credentials cut short where a text was shortened.

    Answers quoted in messages are shortened with an ellipsis; one cut right through a
    credential leaves a prefix that no longer matches the whole value. Mask those too.
    """
    secrets = tuple(secrets)
    text = scrub(text, secrets)
    for secret in secrets:
        raw = secret.reveal()
        shown = 5 if len(raw) >= 16 else 2 if len(raw) >= 8 else 0
        for size in range(len(raw) - 1, max(shown, 3), -1):
            piece = raw[:size]
            if piece + ELLIPSIS in text or text.endswith(piece):
                text = text.replace(piece + ELLIPSIS, mask(raw))
                if text.endswith(piece):
                    text = text[: -len(piece)] + mask(raw)
    return text
