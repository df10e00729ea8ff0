"""PPIO in the sandbox: ``GET /v3/user`` answering ``{"credit_balance": <1/10000 CNY>}``.

It accepts the key both as ``Authorization: Bearer <key>`` (PPIO's docs) and as the bare key
(what one widely used client sends), as the real service does. No key at all gets the answer seen
live, HTTP 400 ``{"code": 400, "reason": "MISSING_API_KEY"}``; an unknown or disabled key gets
the Novita family's HTTP 403 ``INVALID_API_KEY`` (assumed: PPIO and Novita share their error
envelope). Amounts are given to the admin API in money (CNY) and stored in units; spending
lowers them (possibly below zero).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import AdminIn, Answer, Imitation, Route
from topup.sandbox.money import to_quota
from topup.sandbox.openapi import faulty
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

UNITS = 10_000  # 1/10000 CNY
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]


@dataclass(slots=True)
class PPIOUser(Record):
    """A PPIO account: its credit balance in 1/10000 CNY."""

    credit: int = 0

    def take(self, units: int) -> None:
        if units > 0:
            self.credit -= units


class AccountIn(AdminIn):
    token: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    balance: Money = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)


class BalanceIn(AdminIn):
    balance: Money


class SpendIn(AdminIn):
    amount: Money


class BulkIn(AdminIn):
    balance: Money = Decimal(0)


def _known(fields: Mapping[str, Any], model: type[AdminIn], what: str) -> dict[str, Any]:
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise SandboxError(f"unknown {what} fields: {', '.join(sorted(unknown))}")
    return dict(fields)


def to_units(value: Any, what: str) -> int:
    """Money (CNY) to 1/10000 units."""
    return quota_amount(to_quota(money(value, what), UNITS), what)


# -- answers -------------------------------------------------------------------------------------
class UserOut(BaseModel):
    credit_balance: int


class Failure(BaseModel):
    code: int
    reason: str
    message: str | None = None


MISSING_KEY = {"code": 400, "reason": "MISSING_API_KEY"}
INVALID_KEY = {"code": 403, "reason": "INVALID_API_KEY", "message": "invalid api-key"}


def presented_key(header: str | None) -> str | None:
    """The key of ``Authorization: Bearer <key>`` or of a bare ``Authorization: <key>``."""
    value = (header or "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    return value or None


def user(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    key = presented_key(headers.get("authorization"))
    if key is None:
        return Answer(json_reply(400, MISSING_KEY))
    found = state.account_by_token(site.name, key)
    if found is None or found.status != ENABLED:
        return Answer(json_reply(403, INVALID_KEY), found)
    now = state.current(found)
    return Answer(json_reply(200, {"credit_balance": now.credit}), found, count=True)


ROUTES: tuple[Route, ...] = (
    Route(
        "/v3/user",
        user,
        "PPIO: the account, its credit_balance in 1/10000 CNY",
        faulty(
            {
                200: {"model": UserOut, "description": "credit_balance in 1/10000 CNY"},
                400: {"model": Failure, "description": "MISSING_API_KEY"},
                403: {"model": Failure, "description": "INVALID_API_KEY"},
                429: {"model": Failure, "description": "RATE_LIMIT_EXCEEDED (fault)"},
            }
        ),
    ),
)


class PPIOImitation(Imitation):
    dialect = "ppio"
    title = "PPIO"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = PPIOUser

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"PPIO sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> PPIOUser:
        f = _known(fields, AccountIn, "account")
        return PPIOUser(
            site=site.name,
            id=ident,
            token=f.get("token") or "sk_" + random_token(43, string.ascii_letters + string.digits),
            status=f.get("status", ENABLED),
            request_count=f.get("request_count", 0),
            credit=to_units(f.get("balance", 0), "balance"),
        )

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"balance": fields.get("balance", 0)}, {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return UNITS

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = _known(fields, BalanceIn, "balance")
        if f.get("balance") is None:
            raise SandboxError("give balance")
        credit = to_units(f["balance"], "balance")
        assert isinstance(record, PPIOUser)
        record.credit = credit

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> int:
        f = _known(fields, SpendIn, "spend")
        if f.get("amount") is None:
            raise SandboxError("PPIO spends take an amount")
        return to_units(f["amount"], "amount")

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        record.take(spend)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, PPIOUser)
        return {"credit_balance": record.credit}

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}

    def routes(self) -> tuple[Route, ...]:
        return ROUTES

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            body = {
                "code": 429,
                "reason": "RATE_LIMIT_EXCEEDED",
                "message": fault.message or "rate limit exceeded",
            }
            return json_reply(429, body, {"Retry-After": str(fault.retry_after)})
        if fault.kind is FaultKind.SUCCESS_FALSE:
            body = {
                "code": 500,
                "reason": "SERVICE_NOT_AVAILABLE",
                "message": fault.message or "service not available",
            }
            return json_reply(200, body)
        return None


IMITATION = PPIOImitation()
