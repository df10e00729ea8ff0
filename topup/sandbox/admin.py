"""Admin API under ``/_sandbox/``: loopback clients only (anyone else gets 403).

Bodies are validated up front (422) by the site's platform's own models (its imitation's
``account_model``, ``balance_model``...), so unknown fields and out-of-range amounts are
refused before anything is created; the same operations then run through
:class:`~topup.sandbox.state.SandboxState`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from topup.sandbox.faults import FaultKind
from topup.sandbox.imitation import AdminIn, Imitation, get_imitation
from topup.sandbox.records import MAX_MONEY, NotFoundError, Record, SandboxError
from topup.sandbox.state import SandboxState

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
AccountId = Annotated[str, Field(pattern=r"^[0-9]{1,18}$")]
KeyText = Annotated[str, Field(min_length=1, max_length=512)]
JsonBody = Annotated[dict[str, Any], Body()]


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


class SiteIn(AdminIn):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    dialect: str = Field(min_length=1, max_length=100)
    replace: bool = False


class IdIn(AdminIn):
    id: AccountId | None = None


class TargetIn(AdminIn):
    account: AccountId | None = None
    key: KeyText | None = None


class CountsIn(AdminIn):
    accounts: int = Field(0, ge=0, le=1_000_000)
    keys: int = Field(0, ge=0, le=1_000_000)


class RateIn(TargetIn):
    per_hour: Decimal = Field(ge=0, lt=MAX_MONEY, allow_inf_nan=False)


class FaultIn(TargetIn):
    kind: FaultKind
    times: int | None = Field(None, gt=0, le=10**9)
    latency_ms: int = Field(0, ge=0, le=600_000)
    retry_after: int = Field(1, ge=0, le=10**6)
    message: str | None = Field(None, max_length=10_000)
    interval_ms: int = Field(100, ge=1, le=60_000)


class AccountPatch(AdminIn):
    status: int | None = Field(None, ge=1, le=2)


def _parse(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``data`` with ``model`` (422 like FastAPI's own); the fields that were given."""
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    return parsed.model_dump(exclude_unset=True)


def _split(data: dict[str, Any], model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The part of ``data`` that ``model`` (a common part) owns, and the rest."""
    own = {k: v for k, v in data.items() if k in model.model_fields}
    rest = {k: v for k, v in data.items() if k not in model.model_fields}
    return _parse(model, own), rest


def _imitation(state: SandboxState, site: str) -> Imitation:
    try:
        return state.imitation(site)
    except SandboxError as exc:
        raise _guard(exc) from None


def _guard(exc: SandboxError) -> HTTPException:
    return HTTPException(
        status_code=404 if isinstance(exc, NotFoundError) else 400, detail=str(exc)
    )


def _out(rec: Record) -> dict[str, Any]:
    return rec.to_dict()


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
def create_site(request: Request, body: JsonBody) -> dict[str, Any]:
    """Create a site: ``name``, ``dialect`` (a platform) and that platform's settings."""
    common, settings = _split(body, SiteIn)
    if "name" not in common or "dialect" not in common:
        _parse(SiteIn, body)  # the 422 for the missing field
    try:
        imitation = get_imitation(common["dialect"])
    except SandboxError as exc:
        raise _guard(exc) from None
    settings = _parse(imitation.site_model, settings)
    try:
        site = get_state(request).add_site(
            common["name"], common["dialect"], replace=common.get("replace", False), **settings
        )
    except SandboxError as exc:
        raise _guard(exc) from None
    return site.to_dict()


@router.post("/sites/{site}/accounts", status_code=201, responses=ERRORS)
def create_account(request: Request, site: str, body: JsonBody) -> dict[str, Any]:
    state = get_state(request)
    ident, rest = _split(body, IdIn)
    fields = _parse(_imitation(state, site).account_model, rest)
    try:
        return _out(state.add_account(site, id=ident.get("id"), **fields))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.patch("/sites/{site}/accounts/{account}", responses=ERRORS)
def patch_account(
    request: Request,
    site: str,
    account: Annotated[str, Path(pattern=r"^[0-9]{1,18}$")],
    body: JsonBody,
) -> dict[str, Any]:
    state = get_state(request)
    common, rest = _split(body, AccountPatch)
    fields = _parse(_imitation(state, site).patch_model, rest)
    try:
        return _out(state.set_account(site, account, status=common.get("status"), **fields))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/keys", status_code=201, responses=ERRORS)
def create_key(request: Request, site: str, body: JsonBody) -> dict[str, Any]:
    state = get_state(request)
    model = _imitation(state, site).key_model
    if model is None:
        raise HTTPException(status_code=400, detail=f"{site!r} is a site without keys")
    try:
        return _out(state.add_key(site, **_parse(model, body)))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/bulk", status_code=201, responses=ERRORS)
def bulk_create(request: Request, site: str, body: JsonBody) -> dict[str, Any]:
    """Create many accounts and/or keys at once; answers their ids and credentials."""
    state = get_state(request)
    imitation = _imitation(state, site)
    counts, rest = _split(body, CountsIn)
    account_fields, key_fields = imitation.bulk_fields(_parse(imitation.bulk_model, rest))
    try:
        accs = (
            state.bulk_accounts(site, counts["accounts"], **account_fields)
            if counts.get("accounts")
            else []
        )
        keys = state.bulk_keys(site, counts["keys"], **key_fields) if counts.get("keys") else []
    except SandboxError as exc:
        raise _guard(exc) from None
    return {
        "accounts": [{"id": a.id, "token": a.token} for a in accs],
        "keys": [k.token for k in keys],
    }


def _targeted(
    request: Request, site: str, body: dict[str, Any], model: str
) -> tuple[SandboxState, dict[str, Any], dict[str, Any]]:
    state = get_state(request)
    target, rest = _split(body, TargetIn)
    fields = _parse(getattr(_imitation(state, site), model), rest)
    return state, target, fields


@router.post("/sites/{site}/balance", responses=ERRORS)
def set_balance(request: Request, site: str, body: JsonBody) -> dict[str, Any]:
    state, target, fields = _targeted(request, site, body, "balance_model")
    try:
        return _out(state.set_balance(site, **target, **fields))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/spend", responses=ERRORS)
def spend(request: Request, site: str, body: JsonBody) -> dict[str, Any]:
    state, target, fields = _targeted(request, site, body, "spend_model")
    try:
        return _out(state.spend(site, **target, **fields))
    except SandboxError as exc:
        raise _guard(exc) from None


@router.post("/sites/{site}/spend-rate", responses=ERRORS)
def spend_rate(request: Request, site: str, body: RateIn) -> dict[str, Any]:
    try:
        return _out(get_state(request).set_spend_rate(site, **body.model_dump()))
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
