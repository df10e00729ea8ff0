"""An account to check: which platform, where, with which credentials and settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from topup.secrets import Secret, fingerprint

if TYPE_CHECKING:
    from topup.model import Amounts, CurrencyBalance


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    provider: str
    credentials: Mapping[str, Secret] = field(default_factory=dict)
    base_url: str | None = None
    #: The platform's own non-secret settings (declared as fields with ``secret=False``).
    options: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    quota_per_unit: Decimal | None = None
    min_balance: Decimal | None = None
    enabled: bool = True
    timeout: float | None = None
    interval: float | None = None
    tags: tuple[str, ...] = ()
    #: Free-form per-account tables (e.g. ``alerts``) kept for the features that read them.
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: The proxy this account's requests go through (``http://``, ``socks5://``...; its
    #: password makes it a secret). None: the environment's ``HTTPS_PROXY``/``NO_PROXY``.
    proxy: Secret | None = None
    #: False: left out of every total (CLI table, dashboard, ``topup status``), e.g. a key of
    #: a relay account whose balance is already counted through the account itself.
    totals: bool = True

    def counted(self, amounts: Amounts | None) -> tuple[CurrencyBalance, ...]:
        """What totals count of this account's ``amounts`` (:meth:`Amounts.counted`): nothing
        when the account is excluded from totals (``totals = false``) or nothing is known."""
        if not self.totals or amounts is None:
            return ()
        return amounts.counted()

    def secret(self, name: str) -> str | None:
        value = self.credentials.get(name)
        return value.reveal() if value is not None else None

    def option(self, name: str) -> str | None:
        return self.options.get(name)

    @property
    def secrets(self) -> tuple[Secret, ...]:
        """Every secret of the account: credentials, and the proxy URL and its password."""
        found = tuple(self.credentials.values())
        if self.proxy is not None:
            found += (self.proxy,)
            password = urlsplit(self.proxy.reveal()).password
            if password:
                found += (Secret(unquote(password)),)
        return found

    @property
    def fingerprint(self) -> str:
        """Identifies the credential in history without storing it."""
        parts = [self.provider, self.base_url or ""]
        parts += [f"{k}={v.reveal()}" for k, v in sorted(self.credentials.items())]
        return fingerprint(*parts)
