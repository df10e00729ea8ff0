"""Reading platform answers: the checks every adapter shares.

JSON is parsed with ``parse_float=Decimal`` so no amount ever passes through a float, and secret
fields are dropped right there (the parse boundary), from successful and failed answers alike.
Every text of an answer quoted in a message (:func:`body_text`, :func:`error_message`,
:func:`snippet`) goes through :func:`topup.sanitize.platform_text`: no secret field values, no
control characters or escape sequences, a bounded length. HTTP statuses that mean the same
thing on every platform (429, 5xx, 410) are classified here once.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from topup.errors import (
    BadResponseError,
    EndpointRetiredError,
    RateLimitedError,
    UnavailableError,
)
from topup.sanitize import TEXT_LIMIT, platform_text
from topup.secrets import strip_secret_fields

_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def snippet(text: str, limit: int = 160) -> str:
    """A short, single-line, tag-free, sanitised excerpt of an answer, for messages."""
    title = _TITLE.search(text)
    if title:
        text = title.group(1)
    return platform_text(html.unescape(_TAG.sub(" ", text)), limit)


def looks_like_html(response: httpx.Response) -> bool:
    ctype = response.headers.get("content-type", "")
    if "html" in ctype:
        return True
    head = response.content[:256].lstrip().lower()
    return head.startswith(b"<!doctype") or head.startswith(b"<html")


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def raise_for_transient(response: httpx.Response, *, retired: str) -> None:
    """Classify the statuses that mean the same on every platform: 410, 429, 5xx."""
    status = response.status_code
    if status == 410:
        raise EndpointRetiredError(retired)
    if status == 429:
        wait = retry_after(response)
        hint = f"; retry after {wait:g}s" if wait is not None else ""
        raise RateLimitedError(f"rate limited by the platform (HTTP 429){hint}")
    if status >= 500:
        what = "an HTML error page" if looks_like_html(response) else repr(body_text(response))
        raise UnavailableError(f"platform unavailable (HTTP {status}): {what}")


def body_text(response: httpx.Response) -> str:
    """A failed answer in a few words: its message, else a sanitised excerpt of the body.

    A JSON body without a message is quoted without its secret fields (at any depth).
    """
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        text = response.content.decode("utf-8", "replace")
    if looks_like_html(response):
        return snippet(text)
    try:
        decoded = json.loads(text)
    except ValueError:
        return snippet(text)
    if isinstance(decoded, str):
        return snippet(decoded)
    if isinstance(decoded, dict):
        message = error_message(decoded)
        if message:
            return snippet(message)
    return snippet(json.dumps(strip_secret_fields(decoded), ensure_ascii=False))


def error_message(body: dict[str, Any]) -> str | None:
    """The human message of an error envelope, in any of the common shapes, sanitised."""
    error = body.get("error")
    found: str | None = None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        found = str(error["message"])
    elif isinstance(error, str) and error:
        found = error
    elif isinstance(body.get("message"), str) and body["message"]:
        found = str(body["message"])
    return None if found is None else platform_text(found, TEXT_LIMIT) or None


def parse_json(response: httpx.Response) -> Any:
    """Decode a JSON answer exactly (Decimal, no float) and drop its secret fields."""
    if looks_like_html(response):
        raise BadResponseError(
            f"expected JSON, got an HTML page (HTTP {response.status_code}): "
            f"{snippet(response.text)!r}"
        )
    try:
        decoded = exact_json(response.content)
    except ValueError as exc:
        size = len(response.content)
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise BadResponseError(
            f"truncated or invalid JSON (HTTP {response.status_code}, {size} bytes): {reason}"
        ) from None
    return strip_secret_fields(decoded)


#: JSON with every number that has a fraction or exponent as a Decimal, made once (``json.loads``
#: with ``parse_float`` builds a new decoder for every call).
_EXACT = json.JSONDecoder(parse_float=Decimal)


def exact_json(content: bytes) -> Any:
    """``json.loads(content, parse_float=Decimal)``: the same encodings (UTF-8, -16 or -32, as
    ``json.loads`` detects them), the same results and errors."""
    return _EXACT.decode(content.decode(json.detect_encoding(content), "surrogatepass"))


def parse_object(response: httpx.Response) -> dict[str, Any]:
    body = parse_json(response)
    if not isinstance(body, dict):
        raise BadResponseError(
            f"expected a JSON object, got {type(body).__name__} (HTTP {response.status_code})"
        )
    return body


def decimal_field(obj: dict[str, Any], name: str, *, required: bool = True) -> Decimal | None:
    """An amount: a JSON number or a numeric string, as an exact Decimal."""
    if name not in obj or obj[name] is None:
        if required:
            raise BadResponseError(f"answer has no {name!r}")
        return None
    value = obj[name]
    if isinstance(value, bool):
        raise BadResponseError(f"{name!r} is a boolean, not an amount")
    if isinstance(value, int | Decimal):
        return plausible(Decimal(value), name)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise BadResponseError(f"{name!r} is not a number: {snippet(value, 40)!r}") from None
        return plausible(result, name)
    raise BadResponseError(f"{name!r} has type {type(value).__name__}, not an amount")


#: No real balance, quota or count is beyond 10**24 (nor a non-zero one below 10**-24). Bounding
#: them here keeps a hostile ``1e700000`` from turning into a 700,000-digit integer later.
MAX_EXPONENT = 24


def plausible(value: Decimal, name: str) -> Decimal:
    if not value.is_finite():
        raise BadResponseError(f"{name!r} is not a finite number")
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        raise BadResponseError(f"{name!r} is implausibly large or small (10^{value.adjusted()})")
    return value


def int_field(obj: dict[str, Any], name: str) -> int | None:
    value = obj.get(name)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**18 else None
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() < 18:
        return int(value) if value == value.to_integral_value() else None
    if isinstance(value, str) and len(value) <= 19 and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def timestamp(value: Any) -> datetime | None:
    """A UNIX timestamp in seconds; 0 and negative values mean "never"."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    if isinstance(value, Decimal) and (not value.is_finite() or value.adjusted() > 12):
        return None
    seconds = int(value)
    if seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
