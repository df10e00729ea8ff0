"""Messages in the reader's language: English (the source) and Simplified Chinese.

Every message shown to a person is written in English inside ``_("...")`` (or ``ngettext``) and
translated through GNU gettext catalogs kept with Babel (:mod:`topup.i18n.catalogs`): one catalog
per area (``cli``, ``web``, ``alerts``, ``core``), so the areas are translated independently.
The language is chosen once per run or per request (:func:`use`): ``--lang``, then ``[ui] lang``,
then ``$TOPUP_LANG``, then the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); the
dashboard follows the browser's ``Accept-Language``. Amounts keep their currency's own symbol.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

#: The languages topup speaks; the first is the source language of every message.
LANGUAGES: tuple[str, ...] = ("en", "zh_CN")
#: Catalogs, one per area of the code (see :data:`topup.i18n.catalogs.AREAS`).
DOMAINS: tuple[str, ...] = ("core", "cli", "web", "alerts")
#: Where the compiled catalogs live: ``locales/<lang>/LC_MESSAGES/<domain>.mo``.
LOCALES = Path(__file__).parent / "locales"
#: The variable that chooses the language when neither ``--lang`` nor ``[ui] lang`` does.
LANG_ENV = "TOPUP_LANG"

#: The language of this context (a web request, an alert being written); None: the process's.
_language: ContextVar[str | None] = ContextVar("topup_language", default=None)
_default = ["en"]  # the process-wide choice (set_language): a CLI run


def normalize(value: str | None) -> str | None:
    """A supported language for a tag such as ``zh``, ``zh-CN``, ``zh_Hans_CN``,
    ``zh_CN.UTF-8`` or ``en-GB``; None when it names none we speak (or ``C``/``POSIX``)."""
    if not value:
        return None
    tag = value.strip().split(".")[0].split("@")[0].replace("-", "_").casefold()
    first = tag.split("_")[0]
    if first == "zh":
        return "zh_CN"
    if first == "en":
        return "en"
    return None


def from_environment(env: Mapping[str, str] | None = None) -> str | None:
    """The language ``$TOPUP_LANG`` or the locale asks for, if we speak it."""
    env = os.environ if env is None else env
    if found := normalize(env.get(LANG_ENV)):
        return found
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:  # the first one set decides (LANGUAGE may list several: a:b:c)
            for part in value.split(":"):
                if found := normalize(part):
                    return found
            return None
    return None


def choose(
    flag: str | None = None, setting: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """``--lang``, else ``[ui] lang``, else the environment, else English."""
    return normalize(flag) or normalize(setting) or from_environment(env) or LANGUAGES[0]


def negotiate(accept_language: str | None) -> str | None:
    """The language a browser prefers among ours (its ``Accept-Language`` header), if any."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept_language.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if quality > 0 and (found := normalize(tag)):
            ranked.append((-quality, index, found))
    return min(ranked)[2] if ranked else None


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """Every area's catalog for ``language``, chained (English: the messages as written)."""
    merged: _gettext.NullTranslations = _gettext.NullTranslations()
    if language == LANGUAGES[0]:
        return merged
    for domain in DOMAINS:
        merged.add_fallback(
            _gettext.translation(domain, LOCALES, languages=[language], fallback=True)
        )
    return merged


def current() -> str:
    """The language messages are translated into here and now."""
    return _language.get() or _default[0]


def set_language(language: str | None) -> str:
    """Choose the process's language (a CLI run); returns the one chosen."""
    _default[0] = normalize(language) or LANGUAGES[0]
    return _default[0]


@contextmanager
def use(language: str | None) -> Iterator[str]:
    """Translate into ``language`` within this block (one web request, one alert)."""
    chosen = normalize(language) or LANGUAGES[0]
    token = _language.set(chosen)
    try:
        yield chosen
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current language, for ``n``."""
    return translations(current()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; translate it where it is shown."""
    return message


__all__ = [
    "DOMAINS",
    "LANGUAGES",
    "LANG_ENV",
    "N_",
    "choose",
    "current",
    "from_environment",
    "gettext",
    "negotiate",
    "ngettext",
    "normalize",
    "set_language",
    "translations",
    "use",
]
