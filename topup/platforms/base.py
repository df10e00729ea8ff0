"""What a platform adapter is.

An adapter is sans-I/O, in the manner of httpx's auth flows: :meth:`Provider.check` is a
generator that *yields* :class:`httpx.Request` objects and is *sent* the matching
:class:`httpx.Response` (after the runner's retries), and finally *returns* a
:class:`~topup.model.Balance` or raises a :class:`~topup.errors.CheckError`. It never opens a
connection, sleeps, retries or logs; :mod:`topup.runner` does all of that, once, for everyone.

A request may carry ``extensions={"topup.cache": True}``: the runner then answers it at most once
per run and base URL (single-flight), for public endpoints such as new-api's ``/api/status``.
"""

from __future__ import annotations

import abc
import functools
import importlib
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from topup.account import Account
from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.model import Balance

CheckFlow = Generator[httpx.Request, httpx.Response, Balance]

CACHE_EXTENSION = "topup.cache"


@dataclass(frozen=True, slots=True)
class CredentialField:
    """A platform's own field of an account: a credential (secret) or a setting (not secret).

    Settings (``secret=False``, e.g. new-api's ``user_id``, xAI's ``team_id``) are validated
    at config time against ``pattern`` and reach the adapter as ``account.option(name)``.
    """

    name: str
    help: str
    secret: bool = True
    #: A setting's accepted form (full match), checked at config time.
    pattern: str | None = None
    #: How a valid value looks, for the error message.
    example: str | None = None

    def accepts(self, value: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One recorded request/answer pair of a test case."""

    path: str
    status: int = 200
    json: Any = None
    text: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    #: Request headers the adapter must have sent (checked by the generic test).
    expect_headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Staged:
    """The same situation as a case's recorded answers, staged on the platform's imitation.

    The generic tests create a site (``site``: its settings) with one record (``account`` or
    ``key``: the imitation's fields), inject ``fault`` if any, point a real check at it over
    HTTP (credentials from the imitation, plus ``config``), and expect the case's own result:
    client and imitation cannot drift apart.
    """

    account: Mapping[str, Any] | None = None
    key: Mapping[str, Any] | None = None
    site: Mapping[str, Any] = field(default_factory=dict)
    fault: Mapping[str, Any] | None = None
    #: Extra account config (``currency``...) or credentials to override (a wrong token).
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Case:
    """An adapter test case as data: account settings, recorded answers, expected result.

    ``expect`` maps result field names to expected values (amounts as decimal strings,
    ``status`` as its string value); fields not named are not checked. ``exchanges`` are replayed
    in order; a request whose path differs from the next exchange fails the case.
    """

    name: str
    account: Mapping[str, Any]
    exchanges: tuple[Exchange, ...]
    expect: Mapping[str, Any]
    #: The same case staged on the platform's imitation (None: recorded answers only).
    staged: Staged | None = None


class Provider(abc.ABC):
    """One platform. Subclasses declare everything about it as class attributes."""

    #: Registry name, used as ``provider = "..."`` in the config.
    name: ClassVar[str]
    #: Human name.
    title: ClassVar[str]
    #: Base URL used when the account gives none (None: the account must give ``base_url``).
    default_base_url: ClassVar[str | None] = None
    #: Every credential or identifier field the platform understands.
    fields: ClassVar[tuple[CredentialField, ...]] = ()
    #: Accepted combinations of fields; an account must fill at least one completely.
    modes: ClassVar[tuple[frozenset[str], ...]] = ()
    #: How the result's currency is decided, for people (``topup providers``).
    currency_rule: ClassVar[str] = ""
    #: The balance API sits at the host's root: a base URL pasted with the ``/v1`` of
    #: OpenAI-compatible settings loses it for every path (see :meth:`url`).
    api_at_root: ClassVar[bool] = False
    #: Prefixes of the keys this platform issues (``topup keys check`` tells keys apart by them).
    key_prefixes: ClassVar[tuple[str, ...]] = ()
    #: This platform's own test cases (answer -> expected result), run by the generic tests.
    #: Empty: the ``CASES`` of the ``cases`` module beside the client (see :meth:`test_cases`).
    cases: ClassVar[tuple[Case, ...]] = ()

    @classmethod
    def test_cases(cls) -> tuple[Case, ...]:
        """:attr:`cases`, else the ``CASES`` of the platform folder's ``cases`` module."""
        if cls.cases:
            return cls.cases
        found: tuple[Case, ...] = sibling(cls, "cases", "CASES") or ()
        return found

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(f.name for f in cls.fields)

    @classmethod
    def secret_field_names(cls) -> frozenset[str]:
        return frozenset(f.name for f in cls.fields if f.secret)

    @classmethod
    def option_fields(cls) -> tuple[CredentialField, ...]:
        """The platform's own non-secret settings (e.g. ``user_id``)."""
        return tuple(f for f in cls.fields if not f.secret)

    @classmethod
    def validate(cls, account: Account, present: frozenset[str]) -> None:
        """Raise :class:`ConfigError` unless ``present`` fields fill one of :attr:`modes`."""
        if cls.default_base_url is None and not account.base_url:
            raise ConfigError(
                _("missing base_url"),
                account=account.name,
                hint=_("provider {name} has no default; set {example}").format(
                    name=repr(cls.name), example='base_url = "https://..."'
                ),
            )
        if not cls.modes or any(mode <= present for mode in cls.modes):
            return
        options = _(" or ").join(" + ".join(sorted(m)) for m in cls.modes)
        raise ConfigError(
            _("missing credential"),
            account=account.name,
            hint=_("provider {name} needs {fields}").format(name=repr(cls.name), fields=options),
        )

    def base_url(self, account: Account) -> str:
        base = account.base_url or self.default_base_url
        assert base is not None  # validate() guarantees it
        return base.rstrip("/")

    def url(self, account: Account, path: str) -> str:
        """``path`` under the account's base URL. A base URL pasted with the trailing ``/v1``
        of OpenAI-compatible settings works too: ``/v1`` is not doubled, and it is dropped
        altogether for a platform whose API sits at the host's root (:attr:`api_at_root`)."""
        base = self.base_url(account)
        under_v1 = path == "/v1" or path.startswith("/v1/")
        if base.endswith("/v1") and (under_v1 or self.api_at_root):
            base = base[: -len("/v1")]
        return base + path

    @abc.abstractmethod
    def check(self, account: Account) -> CheckFlow:
        """Yield requests, receive responses, return the account's balance."""


@functools.lru_cache(maxsize=1024)
def parsed_url(url: str) -> httpx.URL:
    """``url`` parsed once for every request to it: :class:`httpx.URL` is immutable, and its
    parsing is most of the cost of building an :class:`httpx.Request` from a string (every
    account of a platform asks the same endpoint). Invalid URLs raise as httpx raises them."""
    return httpx.URL(url)


def sibling(provider: type[Provider], module: str, attr: str) -> Any:
    """``attr`` of the module ``module`` in the provider's own folder, or None if there is none.

    A platform keeps its cases, imitation and demo accounts beside its client; they are loaded
    only when asked for (the sandbox and tests), never by ``topup check``.
    """
    package = provider.__module__.rpartition(".")[0]
    if not package:
        return None
    name = f"{package}.{module}"
    try:
        loaded = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise
    return getattr(loaded, attr, None)
