"""An account to check: which platform, where, with which credentials and settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

from topup.secrets import Secret, fingerprint


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
