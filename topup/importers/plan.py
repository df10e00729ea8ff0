"""From candidate accounts to a plan: validated, deduplicated, uniquely named.

Every candidate is built into an :class:`~topup.account.Account` with the config's own
:func:`~topup.account_table.build_account` (credentials given literally, in memory), so whatever the
plan writes loads; a candidate the config would refuse is skipped with the config's reason. An
account whose platform, base URL and credentials are the same as an earlier one, in the file or
in the config appended to, is skipped as a duplicate (:attr:`Account.fingerprint`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from topup.account import Account
from topup.account_table import build_account
from topup.errors import ConfigError, TopupError
from topup.i18n import gettext as _
from topup.sanitize import remove_controls

#: What a config credential value starts with when it is a reference, not the value.
REFERENCE_PREFIXES = ("env:", "file:")
#: Longest account name an import makes (before a ``-2`` suffix).
NAME_LIMIT = 48


class ImportFailed(TopupError):
    """The import cannot go on (unreadable file, a config that would be overwritten...): exit 2."""

    def __init__(self, message: str, *, path: Path | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f"{self.path}: " if self.path is not None else ""
        if self.hint:
            return where + _("{message} ({hint})").format(message=self.message, hint=self.hint)
        return where + self.message


@dataclass(frozen=True, slots=True)
class Candidate:
    """One account found in a foreign file, in topup's terms."""

    #: How the summary names it: the source's own label (a site name and its type).
    source: str
    #: What its name is made from (sanitised, then made unique).
    name_hint: str
    provider: str
    base_url: str | None
    #: Credential fields, by name: raw values, written to secret files or inline.
    secrets: Mapping[str, str]
    #: The platform's non-secret settings (``user_id``).
    options: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    tags: tuple[str, ...] = ()
    notes: str = ""
    #: One line written above the table: where it came from.
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Planned:
    name: str
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class Plan:
    planned: tuple[Planned, ...]
    skipped: tuple[Skipped, ...]

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential value in the plan (to mask them wherever text is shown)."""
        return tuple(v for p in self.planned for v in p.candidate.secrets.values())


def sanitise_name(text: str) -> str:
    """A site name as an account name: lower case, letters, digits, ``.``, ``_`` and ``-``."""
    text = unicodedata.normalize("NFKC", remove_controls(text)).casefold()
    text = re.sub(r"[^\w.-]+", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-._")
    return text[:NAME_LIMIT].rstrip("-._")


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, else ``base-2``, ``base-3``...: not in ``taken`` (compared case-insensitively,
    as file names are on some systems); the chosen name is added to ``taken``."""
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        name = f"{base}-{number}"
    taken.add(name.casefold())
    return name


def raw_table(candidate: Candidate, name: str) -> dict[str, object]:
    """The ``[[accounts]]`` table as :func:`build_account` reads it (credentials literal)."""
    raw: dict[str, object] = {"name": name, "provider": candidate.provider}
    if candidate.base_url:
        raw["base_url"] = candidate.base_url
    raw.update(candidate.secrets)
    raw.update(candidate.options)
    if not candidate.enabled:
        raw["enabled"] = False
    if candidate.tags:
        raw["tags"] = list(candidate.tags)
    if candidate.notes:
        raw["notes"] = candidate.notes
    return raw


def make_plan(
    candidates: Iterable[Candidate | Skipped],
    *,
    existing: Iterable[Account] = (),
    taken: Iterable[str] = (),
    base_dir: Path,
) -> Plan:
    """Validate, deduplicate and name ``candidates`` (in order).

    ``existing``: the accounts of the config appended to (their names are taken, their
    credentials are duplicates); ``taken``: other names in use (secret files already there).
    """
    names = {n.casefold() for n in taken}
    seen: dict[str, str] = {}
    for account in existing:
        names.add(account.name.casefold())
        seen.setdefault(
            account.fingerprint,
            _("already in the config as {name}").format(name=repr(account.name)),
        )
    planned: list[Planned] = []
    skipped: list[Skipped] = []
    for item in candidates:
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        if any(v.startswith(REFERENCE_PREFIXES) for v in item.secrets.values()):
            skipped.append(Skipped(item.source, _("its credential starts with env: or file:")))
            continue
        try:
            account = build_account(raw_table(item, "import"), base_dir=base_dir, env={})
        except ConfigError as exc:
            reason = (
                _("{message} ({hint})").format(message=exc.message, hint=exc.hint)
                if exc.hint
                else exc.message
            )
            why = _("topup would refuse it: {reason}").format(reason=reason)
            skipped.append(Skipped(item.source, why))
            continue
        duplicate = seen.get(account.fingerprint)
        if duplicate is not None:
            why = _("same platform, URL and credentials: {duplicate}").format(duplicate=duplicate)
            skipped.append(Skipped(item.source, why))
            continue
        name = unique_name(sanitise_name(item.name_hint) or "account", names)
        seen[account.fingerprint] = _("imported as {name}").format(name=repr(name))
        planned.append(Planned(name, item))
    return Plan(tuple(planned), tuple(skipped))
