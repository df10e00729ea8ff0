"""Admin API under ``/_sandbox/``: loopback clients only (anyone else gets 403)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from topup.sandbox.faults import FaultKind
from topup.sandbox.state import (
    MAX_MONEY,
    MAX_QUOTA,
    Account,
    Key,
    NotFoundError,
    SandboxError,
    SandboxState,
)

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


# Admin input is validated up front (422): ids are ASCII digits of bounded length, amounts
# finite and below 10**15 (money) or 10**18 (raw quota), and unknown fields are refused.
AccountId = Annotated[str, Field(pattern=r"^[0-9]{1,18}$")]
Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]
Quota = Annotated[int, Field(gt=-MAX_QUOTA, lt=MAX_QUOTA)]
Timestamp = Annotated[int, Field(ge=-(10**12), le=10**12)]
Secret = Annotated[str, Field(min_length=1, max_length=512)]
Label = Annotated[str, Field(max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteIn(_In):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    dialect: Literal["siliconflow", "newapi"]
    quota_per_unit: int = Field(500000, gt=0, le=10**12)
    display: Literal["USD", "CNY", "TOKENS"] = "USD"
    usd_exchange_rate: Decimal = Field(Decimal("7.3"), gt=0, lt=MAX_MONEY, allow_inf_nan=False)
    auth_era: str = Field("newapi", max_length=100)
    token_usage: bool | None = None
    echo_access_token: bool = False
    replace: bool = False


class AccountIn(_In):
    id: AccountId | None = None
    token: Secret | None = None
    quota: Quota | None = None
    used_quota: Quota = 0
    balance: Money | None = None
    granted: Money = Decimal(0)
    paid: Money = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)
    username: Label | None = None
    token_expires_at: Timestamp | None = None


class AccountPatch(_In):
    status: Literal[1, 2] | None = None
    token_expires_at: Timestamp | None = None


class KeyIn(_In):
    key: Secret | None = None
    remain: Quota | None = None
    balance: Money | None = None
    used: Quota = 0
    unlimited: bool = False
    expires_at: Timestamp = -1
    name: Label | None = None
    status: Literal[1, 2] = 1


class BulkIn(_In):
    accounts: int = Field(0, ge=0, le=1_000_000)
    keys: int = Field(0, ge=0, le=1_000_000)
    quota: Quota | None = None
    balance: Money | None = None
    granted: Money = Decimal(0)
    paid: Money = Decimal(0)
    unlimited: bool = False


class TargetIn(_In):
    account: AccountId | None = None
    key: Secret | None = None


class BalanceIn(TargetIn):
    quota: Quota | None = None
    used: Quota | None = None
    balance: Money | None = None
    granted: Money | None = None
    paid: Money | None = None
    unlimited: bool | None = None


class SpendIn(TargetIn):
    amount: Money | None = None
    quota: Quota | None = None


class RateIn(TargetIn):
    per_hour: Decimal = Field(ge=0, lt=MAX_MONEY, allow_inf_nan=False)


class FaultIn(TargetIn):
    kind: FaultKind
    times: int | None = Field(None, gt=0, le=10**9)
    latency_ms: int = Field(0, ge=0, le=600_000)
    retry_after: int = Field(1, ge=0, le=10**6)
    message: str | None = Field(None, max_length=10_000)
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
def patch_account(
    request: Request,
    site: str,
    account: Annotated[str, Path(pattern=r"^[0-9]{1,18}$")],
    body: AccountPatch,
) -> dict[str, Any]:
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
