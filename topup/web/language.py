"""The language of one dashboard request: ``?lang=`` (remembered in a cookie), else that cookie,
else ``[ui] lang``, else the browser's ``Accept-Language``, else English."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from topup import i18n

#: The cookie that remembers a ``?lang=`` choice.
COOKIE = "topup_lang"
#: How long the choice is remembered (seconds).
MAX_AGE = 365 * 86400


def choose(
    asked: str | None, remembered: str | None, setting: str | None, accept: str | None
) -> str:
    return (
        i18n.normalize(asked)
        or i18n.normalize(remembered)
        or i18n.normalize(setting)
        or i18n.negotiate(accept)
        or i18n.LANGUAGES[0]
    )


def tag(language: str) -> str:
    """The BCP 47 tag for ``<html lang>``: ``zh-CN``, ``en``."""
    return language.replace("_", "-")


def other(language: str) -> str:
    """The language the switch link offers."""
    return "en" if language != "en" else "zh_CN"


def switch_url(path: str, query: Mapping[str, str] | str, language: str) -> str:
    """This page in ``language``: its path and parameters with ``lang`` set."""
    pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else query.items()
    kept = [(k, v) for k, v in pairs if k not in ("lang", "token")]
    return f"{path}?{urlencode([*kept, ('lang', tag(language))])}"


def cookie(language: str, *, secure: bool) -> str:
    flags = "; Secure" if secure else ""
    return f"{COOKIE}={tag(language)}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax{flags}"
