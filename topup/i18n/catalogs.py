"""Keeping the message catalogs: extract, update, compile and check them with Babel.

``python -m topup.i18n.catalogs [AREA...]`` (``make catalogs``) extracts every ``_("...")``
message of each area, merges it into ``locales/<lang>/LC_MESSAGES/<area>.po`` (translations
kept, new messages left empty for a translator) and compiles the ``.mo`` files read at run time.
``--check`` changes nothing and exits 1 when a message lacks a translation, a translation's
``{placeholders}`` differ from the message's, or a ``.mo`` file is older than its ``.po``; the
test suite runs the same checks (tests/test_catalogs.py).
"""

from __future__ import annotations

import io
import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from topup.i18n import DOMAINS, LANGUAGES, LOCALES

PACKAGE = Path(__file__).resolve().parent.parent
#: The files each area's catalog is extracted from (patterns relative to the package). ``core``
#: takes every other Python file of the package.
AREAS: dict[str, list[tuple[str, str]]] = {
    "cli": [
        ("cli/**.py", "python"),
        ("starter.py", "python"),  # Babel's * needs at least one character
        ("starter*.py", "python"),
        ("demo.py", "python"),
    ],
    "web": [("web/**.py", "python"), ("web/templates/**.html", "jinja2")],
    "alerts": [("alerts/**.py", "python")],
}
AREAS["core"] = [
    ("platforms/base.py", "python"),  # what every platform requires of an account
    *((pattern, "ignore") for area in AREAS.values() for pattern, _ in area),
    ("i18n/**", "ignore"),
    ("platforms/**", "ignore"),
    ("sandbox/**", "ignore"),
    ("**.py", "python"),
]
assert set(AREAS) == set(DOMAINS)
_OPTIONS = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
#: Fixed header values, so that updating a catalog changes only its messages.
_HEADER: dict[str, Any] = {
    "project": "topup",
    "version": "1",
    "copyright_holder": "topup contributors",
    "msgid_bugs_address": "https://github.com/topup/topup/issues",
    "creation_date": datetime(2026, 12, 1, tzinfo=UTC),
    "revision_date": datetime(2026, 12, 1, tzinfo=UTC),
    "last_translator": "topup contributors",
    "language_team": "topup contributors",
    "fuzzy": False,
}
_PERCENT = re.compile(r"%\((\w+)\)[sd]")
_FORMATTER = string.Formatter()


def _brace_fields(text: str) -> list[str] | None:
    """The ``{fields}`` of a ``str.format`` message, in order (None: not a valid one)."""
    try:
        return sorted(f for _, f, _, _ in _FORMATTER.parse(text) if f is not None)
    except ValueError:
        return None


def _same_fields(source: str, translated: str, *, percent: bool) -> bool:
    """A translation fills the same placeholders as its message and is still a valid format
    string: ``{name}`` for messages used with ``str.format``; in templates (Jinja's newstyle
    gettext applies ``%`` to every message) ``%(name)s``, with ``%`` written ``%%``."""
    if percent:
        names = set(_PERCENT.findall(source))
        if set(_PERCENT.findall(translated)) != names:
            return False
        try:
            translated % dict.fromkeys(names, 1)  # how Jinja fills it
        except (ValueError, TypeError, KeyError):
            return False
        return True
    wanted = _brace_fields(source)
    return wanted is None or _brace_fields(translated) == wanted


def extract(domain: str) -> Catalog:
    """Every message of ``domain``'s files, with where each is used."""
    template = Catalog(domain=domain, charset="utf-8", **_HEADER)
    found = extract_from_dir(
        PACKAGE, AREAS[domain], _OPTIONS, keywords=DEFAULT_KEYWORDS, strip_comment_tags=True
    )
    for filename, line, message, comments, context in found:
        template.add(
            message, None, [(f"topup/{filename}", line)], auto_comments=comments, context=context
        )
    return template


def po_path(domain: str, language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


def read(domain: str, language: str) -> Catalog:
    path = po_path(domain, language)
    if not path.exists():
        return Catalog(locale=language, domain=domain, **_HEADER)
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=domain)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update(domain: str, language: str) -> Catalog:
    """Merge the current messages into the catalog, write its ``.po`` and ``.mo``."""
    catalog = read(domain, language)
    catalog.update(extract(domain), no_fuzzy_matching=True)
    for name, value in _HEADER.items():
        setattr(catalog, name, value)
    path = po_path(domain, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, ignore_obsolete=True, include_lineno=False)
    path.with_suffix(".mo").write_bytes(compiled(read(domain, language)))
    return catalog


@dataclass(frozen=True, slots=True)
class Problem:
    domain: str
    language: str
    what: str

    def __str__(self) -> str:
        return f"{self.language}/{self.domain}: {self.what}"


def _ids(message: object) -> tuple[str, ...]:
    return (message,) if isinstance(message, str) else tuple(message)  # type: ignore[arg-type]


def problems(domain: str, language: str) -> list[Problem]:
    """What is wrong with one catalog: missing or fuzzy translations, placeholders that differ,
    a stale ``.mo``."""
    catalog = read(domain, language)
    found: list[Problem] = []
    for message in extract(domain):
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        have = catalog.get(message.id, context=message.context)
        strings = _ids(have.string) if have is not None else ()
        if have is None or have.fuzzy or not all(strings):
            found.append(Problem(domain, language, f"no translation for {key!r}"))
            continue
        templated = any(str(where).endswith(".html") for where, _line in message.locations)
        for source, text in zip(_ids(message.id), strings, strict=False):
            if not _same_fields(source, text, percent=templated):
                found.append(Problem(domain, language, f"placeholders differ in {key!r}"))
    mo = po_path(domain, language).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(catalog):
        found.append(Problem(domain, language, f"{mo.name} is not compiled from its .po"))
    return found


def translated_languages() -> Iterable[str]:
    return LANGUAGES[1:]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    domains = [a for a in args if not a.startswith("-")] or list(DOMAINS)
    unknown = set(domains) - set(DOMAINS)
    if unknown:
        print(f"unknown area: {', '.join(sorted(unknown))} (areas: {', '.join(DOMAINS)})")
        return 2
    if "--check" not in args:
        for language in translated_languages():
            for domain in domains:
                update(domain, language)
    found = [p for lang in translated_languages() for d in domains for p in problems(d, lang)]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
