"""new-api / one-api in the sandbox: site settings, accounts (raw quota), ``sk-`` keys, routes.

Site settings: ``quota_per_unit``, ``display`` (USD, CNY, TOKENS), ``usd_exchange_rate``,
``auth_era`` (``oneapi``, ``newapi``, ``header:<Name>``, ``newest``; see :mod:`.answers`),
``token_usage`` (whether ``/api/usage/token/`` exists; off for the oneapi era by default),
``billing`` and ``credits`` (whether ``/v1/dashboard/billing/*`` and ``/v1/credits`` exist) and
``echo_access_token`` (AIHubMix-style: ``/api/user/self`` echoes the token back). Amounts move in
quota units; money is ``quota / quota_per_unit`` USD.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from topup.platforms.newapi import routes
from topup.platforms.newapi.answers import Settings
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Imitation, Route
from topup.sandbox.money import to_quota
from topup.sandbox.records import (
    ENABLED,
    MAX_MONEY,
    MAX_QUOTA,
    Record,
    SandboxError,
    Site,
    money,
    quota_amount,
    random_token,
)
from topup.sandbox.replies import Reply, json_reply

Quota = Annotated[int, Field(gt=-MAX_QUOTA, lt=MAX_QUOTA)]
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]
Timestamp = Annotated[int, Field(ge=-(10**12), le=10**12)]
SecretText = Annotated[str, Field(min_length=1, max_length=512)]
Label = Annotated[str, Field(max_length=200)]
NAMED_ERAS: tuple[str, ...] = ("oneapi", "newapi", "newest")


@dataclass(slots=True)
class RelayUser(Record):
    """A new-api user: quota units left and used."""

    username: str = ""
    quota: int = 0
    used_quota: int = 0
    token_expires_at: int | None = None  # unix seconds; newest era answers AUTH_TOKEN_EXPIRED
    group: str = "default"
    created_at: int = 0

    @property
    def remain(self) -> int:
        return self.quota

    @property
    def used(self) -> int:
        return self.used_quota

    def take(self, units: int) -> None:
        self.quota -= units
        self.used_quota += units


@dataclass(slots=True)
class RelayKey(Record):
    """An ``sk-`` key with its own quota (its ``id`` and ``token`` are the key itself)."""

    kind = "key"

    name: str = ""
    remain: int = 0
    used: int = 0
    unlimited: bool = False
    expires_at: int = -1  # unix seconds; -1 never

    @property
    def key(self) -> str:
        return self.token

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.token, **Record.to_dict(self)}

    def take(self, units: int) -> None:
        self.remain -= units
        self.used += units


class SiteIn(AdminIn):
    quota_per_unit: int = Field(500000, gt=0, le=10**12)
    display: Literal["USD", "CNY", "TOKENS"] = "USD"
    usd_exchange_rate: Decimal = Field(Decimal("7.3"), gt=0, lt=MAX_MONEY, allow_inf_nan=False)
    auth_era: str = Field("newapi", max_length=100)
    token_usage: bool | None = None
    echo_access_token: bool = False
    billing: bool = True
    credits: bool = False


class AccountIn(AdminIn):
    token: SecretText | None = None
    quota: Quota | None = None
    used_quota: Quota = 0
    balance: Money | None = None
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)
    username: Label | None = None
    token_expires_at: Timestamp | None = None


class AccountPatch(AdminIn):
    token_expires_at: Timestamp | None = None


class KeyIn(AdminIn):
    key: SecretText | None = None
    remain: Quota | None = None
    balance: Money | None = None
    used: Quota = 0
    unlimited: bool = False
    expires_at: Timestamp = -1
    name: Label | None = None
    status: Literal[1, 2] = 1


class BalanceIn(AdminIn):
    quota: Quota | None = None
    used: Quota | None = None
    balance: Money | None = None
    unlimited: bool | None = None


class SpendIn(AdminIn):
    amount: Money | None = None
    quota: Quota | None = None


class BulkIn(AdminIn):
    quota: Quota | None = None
    balance: Money | None = None
    unlimited: bool = False


def check_era(era: str) -> str:
    if era in NAMED_ERAS:
        return era
    if era.startswith("header:") and len(era) > len("header:"):
        return era
    raise SandboxError(f"unknown auth_era {era!r}: oneapi, newapi, newest or header:<Name>")


def _quota_of(settings: Settings, balance: Any) -> int:
    if balance is None:
        return 0
    return quota_amount(to_quota(money(balance, "balance"), settings.quota_per_unit))


class NewAPIImitation(Imitation):
    dialect = "newapi"
    title = "new-api / one-api"
    site_model = SiteIn
    account_model = AccountIn
    patch_model = AccountPatch
    key_model = KeyIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = RelayUser
    key_type = RelayKey
    #: Site defaults this imitation's sites start from (a platform built on it may change them).
    site_defaults: Mapping[str, Any] = {}

    def settings(self, fields: Mapping[str, Any]) -> Settings:
        fields = {**self.site_defaults, **fields}
        unknown = set(fields) - set(SiteIn.model_fields)
        if unknown:
            raise SandboxError(f"unknown site settings: {', '.join(sorted(unknown))}")
        display = fields.get("display", "USD")
        if display not in ("USD", "CNY", "TOKENS"):
            raise SandboxError(f"unknown display {display!r}: USD, CNY, TOKENS")
        qpu = fields.get("quota_per_unit", 500000)
        if isinstance(qpu, bool) or not isinstance(qpu, int) or qpu <= 0:
            raise SandboxError("quota_per_unit must be positive")
        rate = money(fields.get("usd_exchange_rate", "7.3"), "usd_exchange_rate")
        if rate <= 0:
            raise SandboxError("usd_exchange_rate must be positive")
        return Settings(
            quota_per_unit=qpu,
            display=display,
            usd_exchange_rate=rate,
            auth_era=check_era(fields.get("auth_era", "newapi")),
            token_usage=fields.get("token_usage"),
            echo_access_token=bool(fields.get("echo_access_token", False)),
            billing=bool(fields.get("billing", True)),
            credits=bool(fields.get("credits", False)),
        )

    def load_settings(self, data: Mapping[str, Any]) -> Settings:
        return Settings.from_dict(data)

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> RelayUser:
        f = dict(fields)
        unknown = set(f) - set(AccountIn.model_fields)
        if unknown:
            raise SandboxError(f"unknown account fields: {', '.join(sorted(unknown))}")
        quota = f.get("quota")
        if quota is None:
            quota = _quota_of(site.settings, f.get("balance"))
        return RelayUser(
            site=site.name,
            id=ident,
            token=f.get("token") or random_token(),
            status=f.get("status", ENABLED),
            request_count=f.get("request_count", 0),
            username=f.get("username") or f"user{ident}",
            quota=quota_amount(quota),
            used_quota=quota_amount(f.get("used_quota", 0), "used_quota"),
            token_expires_at=f.get("token_expires_at"),
            created_at=state.now_ts(),
        )

    def new_key(self, state: Any, site: Site, fields: Any, ordinal: int) -> RelayKey:
        f = dict(fields)
        unknown = set(f) - set(KeyIn.model_fields)
        if unknown:
            raise SandboxError(f"unknown key fields: {', '.join(sorted(unknown))}")
        key = f.get("key") or "sk-" + random_token(48)
        remain = f.get("remain")
        if remain is None:
            remain = _quota_of(site.settings, f.get("balance"))
        return RelayKey(
            site=site.name,
            id=key,
            token=key,
            status=f.get("status", ENABLED),
            name=f.get("name") or f"key-{state.key_count() + ordinal + 1}",
            remain=quota_amount(remain, "remain"),
            used=quota_amount(f.get("used", 0), "used"),
            unlimited=bool(f.get("unlimited", False)),
            expires_at=f.get("expires_at", -1),
        )

    def patch(self, record: Record, changes: Mapping[str, Any]) -> None:
        expires = changes.get("token_expires_at")
        if expires is not None:
            assert isinstance(record, RelayUser)
            record.token_expires_at = expires if expires > 0 else None

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        quota, balance = fields.get("quota"), fields.get("balance")
        account = {"quota": quota, "balance": balance}
        key = {"remain": quota, "balance": balance, "unlimited": fields.get("unlimited", False)}
        return account, key

    def units_per_money(self, site: Site, record: Record) -> int:
        qpu: int = site.settings.quota_per_unit
        return qpu

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        unknown = set(fields) - set(BalanceIn.model_fields)
        if unknown:
            raise SandboxError(f"unknown balance fields: {', '.join(sorted(unknown))}")
        quota, used = fields.get("quota"), fields.get("used")
        balance = fields.get("balance")
        if quota is None and balance is not None:
            quota = to_quota(money(balance, "balance"), site.settings.quota_per_unit)
        quota = quota_amount(quota) if quota is not None else None
        used = quota_amount(used, "used") if used is not None else None
        if isinstance(record, RelayUser):
            record.quota = record.quota if quota is None else quota
            record.used_quota = record.used_quota if used is None else used
        else:
            assert isinstance(record, RelayKey)
            record.remain = record.remain if quota is None else quota
            record.used = record.used if used is None else used
            if fields.get("unlimited") is not None:
                record.unlimited = bool(fields["unlimited"])

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> int:
        quota, amount = fields.get("quota"), fields.get("amount")
        if quota is None:
            if amount is None:
                raise SandboxError("give amount or quota")
            quota = to_quota(money(amount), site.settings.quota_per_unit)
        return quota_amount(quota)

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        record.take(spend)

    def current(self, record: Record) -> dict[str, Any]:
        if isinstance(record, RelayKey):
            return {"remain": record.remain, "used": record.used}
        assert isinstance(record, RelayUser)
        return {"quota": record.quota, "used_quota": record.used_quota}

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        if isinstance(record, RelayKey):
            return {"api_key": record.key}
        return {"access_token": record.token, "user_id": record.id}

    def routes(self) -> tuple[Route, ...]:
        return routes.ROUTES

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            body = {"success": False, "message": fault.message or "您的请求过于频繁,请稍后再试"}
            return json_reply(429, body, {"Retry-After": str(fault.retry_after)})
        if fault.kind is FaultKind.SUCCESS_FALSE:
            return json_reply(
                200, {"success": False, "message": fault.message or "系统繁忙,请稍后再试"}
            )
        if fault.kind is FaultKind.TRUNCATED_JSON and normal is None:
            return json_reply(200, {"success": True, "message": "", "data": None})
        return None


IMITATION = NewAPIImitation()
