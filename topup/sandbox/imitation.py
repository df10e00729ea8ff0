"""What a platform's imitation is: the contract between a platform folder and the sandbox core.

A platform folder's ``imitation.py`` defines ``IMITATION``, an :class:`Imitation`: its record
types and site settings, how admin input creates and changes them (validated once, for the
Python and HTTP admin APIs alike), how spending changes its numbers, the routes it serves under
a site's prefix, and the bodies of its failures. The core (state, persistence, faults, spend
rate, admin API, server) mounts every registered platform's imitation and names none.
"""

from __future__ import annotations

import abc
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from topup.sandbox.faults import Fault
from topup.sandbox.records import (
    ENABLED,
    MAX_MONEY,
    MAX_QUOTA,
    Record,
    SandboxError,
    Site,
    random_token,
)
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:  # avoids an import cycle
    from topup.sandbox.state import SandboxState


#: Admin input types every platform's models are made of.
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]
#: Money that is never negative (limits, lifetime sums, usage).
NonNegative = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]
SecretText = Annotated[str, Field(min_length=1, max_length=512)]
RequestCount = Annotated[int, Field(ge=0, lt=MAX_QUOTA)]
Status = Literal[1, 2]


class AdminIn(BaseModel):
    """Base of every admin body: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")


class NoSettings(AdminIn):
    """A platform whose sites have no settings."""


def known(fields: Mapping[str, Any], model: type[AdminIn], what: str) -> dict[str, Any]:
    """``fields`` as a dict once none of them is unknown to ``model`` (else
    :class:`SandboxError` naming them): the check of imitations that convert values themselves."""
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise SandboxError(f"unknown {what} fields: {', '.join(sorted(unknown))}")
    return dict(fields)


def bearer(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), else None."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer_or_raw(header: str | None) -> str | None:
    """The key of ``Authorization: Bearer <key>`` or of a bare ``Authorization: <key>``."""
    value = (header or "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    return value or None


@dataclass(slots=True)
class Answer:
    """What a route answers: the reply, and the record it was for (its faults apply)."""

    reply: Reply
    record: Record | None = None
    #: Count the request on ``record`` (when no fault replaced the answer).
    count: bool = False


Handler = Callable[["SandboxState", Site, Mapping[str, str]], Answer]


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint of a platform, served under every site's prefix: ``/{site}{path}``."""

    path: str
    answer: Handler
    summary: str
    #: OpenAPI responses (status -> description/model/content), for the sandbox's document.
    responses: Mapping[int | str, dict[str, Any]] = field(default_factory=dict)
    #: Request headers the route reads (documented as parameters).
    headers: tuple[str, ...] = ("Authorization",)
    method: str = "GET"
    #: The answer for an unknown site or a site of another platform.
    not_found: Callable[[], Reply] | None = None


class Imitation(abc.ABC):
    """One platform's faithful stand-in. Subclasses declare everything about it."""

    #: The name sites are created with (``add_site(name, dialect)``).
    dialect: ClassVar[str]
    title: ClassVar[str]
    #: How admin messages name the platform ("X sites have no settings"; default: its title).
    short_title: ClassVar[str] = ""
    #: Admin input models: site settings, new account, new key (None: no keys), amounts.
    site_model: ClassVar[type[AdminIn]] = NoSettings
    account_model: ClassVar[type[AdminIn]]
    key_model: ClassVar[type[AdminIn] | None] = None
    balance_model: ClassVar[type[AdminIn]]
    spend_model: ClassVar[type[AdminIn]]
    bulk_model: ClassVar[type[AdminIn]]
    #: Record types (rows in the state file are rebuilt with them).
    account_type: ClassVar[type[Record]]
    key_type: ClassVar[type[Record] | None] = None

    # ----------------------------------------------------------------- sites
    @abc.abstractmethod
    def settings(self, fields: Mapping[str, Any]) -> Any:
        """Validated site settings from Python keyword arguments (:class:`SandboxError`)."""

    @abc.abstractmethod
    def load_settings(self, data: Mapping[str, Any]) -> Any:
        """Settings from a stored site row."""

    # ----------------------------------------------------------------- records
    @abc.abstractmethod
    def new_account(self, state: SandboxState, site: Site, ident: str, fields: Any) -> Record:
        """A validated account (not yet stored) from keyword arguments."""

    def new_key(self, state: SandboxState, site: Site, fields: Any, ordinal: int) -> Record:
        raise SandboxError(f"{self.title} sites have no keys")

    #: Admin model of an account's changeable settings besides ``status``.
    patch_model: ClassVar[type[AdminIn]] = NoSettings

    def validate_patch(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Validated account settings to change (:class:`SandboxError` on unknown ones)."""
        unknown = set(fields) - set(self.patch_model.model_fields)
        if unknown:
            raise SandboxError(f"unknown account settings: {', '.join(sorted(unknown))}")
        return {k: v for k, v in fields.items() if v is not None}

    def patch(self, record: Record, changes: Mapping[str, Any]) -> None:
        """Apply validated account settings."""
        for name, value in changes.items():
            setattr(record, name, value)

    @abc.abstractmethod
    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split a bulk request's amounts into account and key keyword arguments."""

    @abc.abstractmethod
    def units_per_money(self, site: Site, record: Record) -> int:
        """How many of the record's smallest steps one unit of money is (spend rates)."""

    @abc.abstractmethod
    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        """Validate ``fields`` first, then set the record's amounts."""

    @abc.abstractmethod
    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Any:
        """A validated spend (applied by :meth:`spend` once the spend rate is folded in)."""

    @abc.abstractmethod
    def spend(self, site: Site, record: Record, spend: Any) -> None:
        """Apply a validated spend now."""

    @abc.abstractmethod
    def current(self, record: Record) -> dict[str, Any]:
        """The record's amounts as JSON-able data (the admin state listing)."""

    @abc.abstractmethod
    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        """The credential fields of a topup account for ``record`` (demo, tests)."""

    # ----------------------------------------------------------------- serving
    @abc.abstractmethod
    def routes(self) -> tuple[Route, ...]:
        """The endpoints this platform serves under a site's prefix."""

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        """This platform's own body for a failure fault, or None for the common one."""
        return None

    @property
    def named(self) -> str:
        """The platform's name in admin messages."""
        return self.short_title or self.title


class NoSettingsImitation(Imitation):
    """A platform whose sites have no settings and whose accounts are found by one credential.

    It also gives what such platforms declare rather than write: a new account's random key
    (:attr:`key_prefix`, :attr:`key_length`, :attr:`key_alphabet`), the smallest step
    (:attr:`units` per unit of money), the credential field of a topup account
    (:attr:`credential`), the routes (:attr:`route_table`), and bulk amounts that all go to the
    accounts.
    """

    #: How a new account's key looks: the prefix and a random part of this length and alphabet.
    key_prefix: ClassVar[str] = "sk-"
    key_length: ClassVar[int] = 40
    key_alphabet: ClassVar[str] = string.ascii_letters + string.digits
    #: How many of the record's smallest steps one unit of money is.
    units: ClassVar[int] = 1
    #: The topup account field the record's token goes into.
    credential: ClassVar[str] = "api_key"
    #: The endpoints served under a site's prefix.
    route_table: ClassVar[tuple[Route, ...]] = ()

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"{self.named} sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_token(self) -> str:
        """A new account's random key."""
        return self.key_prefix + random_token(self.key_length, self.key_alphabet)

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return dict(fields), {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return self.units

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {self.credential: record.token}

    def routes(self) -> tuple[Route, ...]:
        return self.route_table


def lookup_answer(
    state: SandboxState,
    site: Site,
    token: str | None,
    body: Callable[[Any], Any],
    refused: Callable[[], Reply],
    *,
    disabled: Callable[[], Reply] | None = None,
    serve_disabled: bool = False,
    check: Callable[[Any], Reply | None] | None = None,
) -> Answer:
    """The answer for the account whose credential is ``token``.

    No such account: ``refused()``. A disabled one: ``disabled()`` (default ``refused()``),
    unless ``serve_disabled``. Then ``check(account)``, a refusal or None. Otherwise HTTP 200
    with ``body`` of its amounts as they are now, and the request is counted.
    """
    record = state.account_by_token(site.name, token) if token else None
    if record is None:
        return Answer(refused())
    if not serve_disabled and record.status != ENABLED:
        return Answer((disabled or refused)(), record)
    problem = check(record) if check is not None else None
    if problem is not None:
        return Answer(problem, record)
    return Answer(json_reply(200, body(state.current(record))), record, count=True)


def bearer_answer(
    state: SandboxState,
    site: Site,
    headers: Mapping[str, str],
    body: Callable[[Any], Any],
    refused: Callable[[], Reply],
    **options: Any,
) -> Answer:
    """:func:`lookup_answer` (same ``options``) for the key in ``Authorization: Bearer <key>``."""
    token = bearer(headers.get("authorization"))
    return lookup_answer(state, site, token, body, refused, **options)


def imitations() -> dict[str, Imitation]:
    """Every registered platform's imitation, by dialect (platforms sharing one appear once)."""
    from topup.platforms import registry_key

    return _imitations(registry_key())


@cache
def _imitations(key: tuple[str, ...]) -> dict[str, Imitation]:
    from topup.platforms import all_providers

    found: dict[str, Imitation] = {}
    for provider in all_providers().values():
        imitation = imitation_for(provider)
        if imitation is not None:
            found.setdefault(imitation.dialect, imitation)
    return found


def imitation_for(provider: type[Any]) -> Imitation | None:
    """The imitation of a platform (its folder's ``IMITATION``), if it has one."""
    from topup.platforms.base import sibling

    found = sibling(provider, "imitation", "IMITATION")
    return found if isinstance(found, Imitation) else None


def get_imitation(dialect: str) -> Imitation:
    try:
        return imitations()[dialect]
    except KeyError:
        raise SandboxError(
            f"unknown dialect {dialect!r}: {', '.join(sorted(imitations()))}"
        ) from None
