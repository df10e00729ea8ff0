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
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from topup.account import Account
from topup.errors import ConfigError
from topup.model import Balance

CheckFlow = Generator[httpx.Request, httpx.Response, Balance]

CACHE_EXTENSION = "topup.cache"


@dataclass(frozen=True, slots=True)
class CredentialField:
    """A field of an account's config that holds a credential or an identifier."""

    name: str
    help: str
    secret: bool = True
    env: str | None = None


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
    #: This platform's own test cases (answer -> expected result), run by one generic test.
    cases: ClassVar[tuple[Case, ...]] = ()

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(f.name for f in cls.fields)

    @classmethod
    def secret_field_names(cls) -> frozenset[str]:
        return frozenset(f.name for f in cls.fields if f.secret)

    @classmethod
    def validate(cls, account: Account, present: frozenset[str]) -> None:
        """Raise :class:`ConfigError` unless ``present`` fields fill one of :attr:`modes`."""
        if cls.default_base_url is None and not account.base_url:
            raise ConfigError(
                "missing base_url",
                account=account.name,
                hint=f'provider {cls.name!r} has no default; set base_url = "https://..."',
            )
        if not cls.modes or any(mode <= present for mode in cls.modes):
            return
        options = " or ".join(" + ".join(sorted(m)) for m in cls.modes)
        raise ConfigError(
            "missing credential",
            account=account.name,
            hint=f"provider {cls.name!r} needs {options}",
        )

    def base_url(self, account: Account) -> str:
        base = account.base_url or self.default_base_url
        assert base is not None  # validate() guarantees it
        return base.rstrip("/")

    @abc.abstractmethod
    def check(self, account: Account) -> CheckFlow:
        """Yield requests, receive responses, return the account's balance."""
