"""Admin API under ``/_sandbox/``: loopback clients only (anyone else gets 403)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from topup.sandbox.faults import FaultKind
from topup.sandbox.state import Account, Key, NotFoundError, SandboxError, SandboxState

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    return host in LOOPBACK_HOSTS or host.startswith("127.") or host == "::ffff:127.0.0.1"


def require_loopback(request: Request) -> None:
    client = request.client
    if client is None or not is_loopback(client.host):
        raise HTTPException(status_code=403, detail="the sandbox admin API is loopback-only")


def get_state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


class SiteIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    dialect: Literal["siliconflow", "newapi"]
    quota_per_unit: int = Field(500000, gt=0)
    display: Literal["USD", "CNY", "TOKENS"] = "USD"
    usd_exchange_rate: Decimal = Field(Decimal("7.3"), gt=0)
    auth_era: str = "newapi"
    token_usage: bool | None = None
    echo_access_token: bool = False
    replace: bool = False


class AccountIn(BaseModel):
    id: str | None = None
    token: str | None = None
    quota: int | None = None
    used_quota: int = 0
    balance: Decimal | None = None
    granted: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0)
    username: str | None = None
    token_expires_at: int | None = None


class AccountPatch(BaseModel):
    status: Literal[1, 2] | None = None
    token_expires_at: int | None = None


class KeyIn(BaseModel):
    key: str | None = None
    remain: int | None = None
    balance: Decimal | None = None
    used: int = 0
    unlimited: bool = False
    expires_at: int = -1
    name: str | None = None
    status: Literal[1, 2] = 1


class BulkIn(BaseModel):
    accounts: int = Field(0, ge=0, le=1_000_000)
    keys: int = Field(0, ge=0, le=1_000_000)
    quota: int | None = None
    balance: Decimal | None = None
    granted: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    unlimited: bool = False


class TargetIn(BaseModel):
    account: str | None = None
    key: str | None = None


class BalanceIn(TargetIn):
    quota: int | None = None
    used: int | None = None
    balance: Decimal | None = None
    granted: Decimal | None = None
    paid: Decimal | None = None
    unlimited: bool | None = None


class SpendIn(TargetIn):
    amount: Decimal | None = None
    quota: int | None = None


class RateIn(TargetIn):
    per_hour: Decimal = Field(ge=0)


class FaultIn(TargetIn):
    kind: FaultKind
    times: int | None = Field(None, gt=0)
    latency_ms: int = Field(0, ge=0, le=600_000)
    retry_after: int = Field(1, ge=0)
    message: str | None = None
    interval_ms: int = Field(100, ge=1, le=60_000)


def _acc(a: Account) -> dict[str, Any]:
    return a.to_dict()


def _key(k: Key) -> dict[str, Any]:
    return k.to_dict()


def _obj(o: Account | Key) -> dict[str, Any]:
    return o.to_dict()


def _guard(exc: SandboxError) -> HTTPException:
    return HTTPException(
        status_code=404 if isinstance(exc, NotFoundError) else 400, detail=str(exc)
    )


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad request"},
    403: {"description": "Not a loopback client"},
    404: {"description": "Unknown site, account or key"},
}

router = APIRouter(
    prefix="/_sandbox", tags=["sandbox admin"], dependencies=[Depends(require_loopback)]
)


@router.get("/state", responses=ERRORS)
def list_state(request: Request, site: str | None = None) -> dict[str, Any]:
    return get_state(request).snapshot(site)


@router.post("/sites", status_code=201, responses=ERRORS)
def create_site(request: Request, body: SiteIn) -> dict[str, Any]:
    try:
        site = get_state(request).add_site(**body.model_dump())
    except SandboxError as exc:
        raise _guard(exc) from None
    return site.to_dict()


@router.post("/sites/{site}/accounts", status_code=201, responses=ERRORS)
def create_account(request: Request, site: str, body: AccountIn) -> dict[str, Any]:
    try:
        return _acc(get_state(request).add_account(site, **body.model_dump()))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.patch("/sites/{site}/accounts/{account}", responses=ERRORS)
def patch_account(request: Request, site: str, account: str, body: AccountPatch) -> dict[str, Any]:
    try:
        return _acc(get_state(request).set_account(site, account, **body.model_dump()))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/keys", status_code=201, responses=ERRORS)
def create_key(request: Request, site: str, body: KeyIn) -> dict[str, Any]:
    try:
        return _key(get_state(request).add_key(site, **body.model_dump()))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/bulk", status_code=201, responses=ERRORS)
def bulk_create(request: Request, site: str, body: BulkIn) -> dict[str, Any]:
    """Create many accounts and/or keys at once; answers their ids and credentials."""
    state = get_state(request)
    try:
        accs = (
            state.bulk_accounts(
                site,
                body.accounts,
                quota=body.quota,
                balance=body.balance,
                granted=body.granted,
                paid=body.paid,
            )
            if body.accounts
            else []
        )
        keys = (
            state.bulk_keys(
                site, body.keys, remain=body.quota, balance=body.balance, unlimited=body.unlimited
            )
            if body.keys
            else []
        )
    except SandboxError as exc:
        raise _guard(exc) from None
    return {
        "accounts": [{"id": a.id, "token": a.token} for a in accs],
        "keys": [k.key for k in keys],
    }


@router.post("/sites/{site}/balance", responses=ERRORS)
def set_balance(request: Request, site: str, body: BalanceIn) -> dict[str, Any]:
    try:
        return _obj(get_state(request).set_balance(site, **body.model_dump()))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/spend", responses=ERRORS)
def spend(request: Request, site: str, body: SpendIn) -> dict[str, Any]:
    try:
        return _obj(get_state(request).spend(site, **body.model_dump()))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/spend-rate", responses=ERRORS)
def spend_rate(request: Request, site: str, body: RateIn) -> dict[str, Any]:
    try:
        return _obj(get_state(request).set_spend_rate(site, **body.model_dump()))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/faults", status_code=201, responses=ERRORS)
def set_fault(request: Request, site: str, body: FaultIn) -> dict[str, Any]:
    try:
        fault = get_state(request).set_fault(site, **body.model_dump())
    except SandboxError as exc:
        raise _guard(exc) from None
    return fault.to_dict()


@router.delete("/faults", responses=ERRORS)
def clear_faults(
    request: Request, site: str | None = None, account: str | None = None, key: str | None = None
) -> dict[str, Any]:
    try:
        n = get_state(request).clear_faults(site, account=account, key=key)
    except SandboxError as exc:
        raise _guard(exc) from None
    return {"cleared": n}


@router.post("/flush", responses=ERRORS)
def flush(request: Request) -> dict[str, Any]:
    return {"flushed": get_state(request).flush()}
