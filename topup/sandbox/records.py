"""What the sandbox stores, whatever the platform: sites, records (accounts and keys), bounds.

A platform's imitation defines its own record types (subclasses of :class:`Record` holding its
own amounts) and site settings; the sandbox core only knows what every record has: a site, a
kind (``account`` or ``key``), an identifier, the credential a request presents, a status, a
request counter and a spend rate.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Self, get_type_hints

from topup.sandbox.money import dec

ENABLED = 1
DISABLED = 2

MAX_MONEY = Decimal(10**15)  # bound of every money amount (exclusive)
MAX_QUOTA = 10**18  # bound of every raw quota amount (exclusive; int64-sized)
ID_PATTERN = re.compile(r"[0-9]{1,18}")  # account ids: ASCII digits, bounded length


class SandboxError(ValueError):
    """A bad request to the state API (unknown site, duplicate, bad setting)."""


class NotFoundError(SandboxError):
    pass


def money(value: Decimal | str | int, what: str = "amount") -> Decimal:
    """A finite Decimal of bounded magnitude (|x| < 10**15), else :class:`SandboxError`."""
    try:
        amount = dec(value)
    except (ArithmeticError, ValueError) as exc:
        raise SandboxError(f"{what} is not a number") from exc
    if not amount.is_finite() or abs(amount) >= MAX_MONEY:
        raise SandboxError(f"{what} must be finite and below 10**15 in magnitude")
    return amount


def quota_amount(value: int, what: str = "quota") -> int:
    """A raw quota amount of bounded magnitude (|x| < 10**18), else :class:`SandboxError`."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= MAX_QUOTA:
        raise SandboxError(f"{what} must be an integer below 10**18 in magnitude")
    return value


def check_id(ident: str) -> str:
    if not ID_PATTERN.fullmatch(ident):
        raise SandboxError("account ids are 1 to 18 ASCII digits")
    return ident


def check_status(status: int) -> int:
    if status not in (ENABLED, DISABLED):
        raise SandboxError("status is 1 (enabled) or 2 (disabled)")
    return status


def random_token(n: int = 32, alphabet: str = string.ascii_letters + string.digits) -> str:
    """A random credential for the sandbox (fast enough for bulk creation of a million)."""
    size = len(alphabet)
    return "".join(alphabet[b % size] for b in secrets.token_bytes(n))


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _decode(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    text = str(hint)
    if "Decimal" in text:
        return Decimal(str(value))
    if "datetime" in text:
        return datetime.fromisoformat(value)
    if text in ("int", "<class 'int'>"):
        return int(value)
    if text in ("bool", "<class 'bool'>"):
        return bool(value)
    return value


class Stored:
    """JSON round trip of a dataclass's fields (Decimals as strings, datetimes ISO 8601)."""

    def to_dict(self) -> dict[str, Any]:
        assert dataclasses.is_dataclass(self)
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        assert dataclasses.is_dataclass(cls)
        hints = get_type_hints(cls)
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        values = {k: _decode(v, hints[k]) for k, v in data.items() if k in known}
        return cls(**values)


@dataclass(slots=True)
class Site(Stored):
    """A site: a platform's imitation under its own path prefix, with its own settings."""

    name: str
    dialect: str
    settings: Any = None  # the imitation's own settings object

    def to_dict(self) -> dict[str, Any]:
        data = {"name": self.name, "dialect": self.dialect}
        if self.settings is not None:
            data.update(self.settings.to_dict())
        return data

    def __getattr__(self, name: str) -> Any:
        # ``site.display``, ``site.auth_era``...: the imitation's settings, read through
        settings = object.__getattribute__(self, "settings")
        if settings is None:
            raise AttributeError(name)
        return getattr(settings, name)


@dataclass(slots=True)
class Record(Stored):
    """An account or key of some platform. Subclasses add the platform's amounts."""

    kind: ClassVar[str] = "account"

    site: str
    id: str
    #: What a request presents to be this record (a token or key).
    token: str
    status: int = ENABLED
    request_count: int = 0
    spend_rate: Decimal = Decimal(0)  # money per hour
    rate_since: datetime | None = None
    rate_spent: int = 0  # units of the spend rate already folded into the amounts

    @property
    def ident(self) -> str:
        """How faults and the admin API name this record."""
        return self.id

    def take(self, units: int) -> None:
        """Spend ``units`` (the imitation's smallest step) from the amounts, in place."""
        raise NotImplementedError
