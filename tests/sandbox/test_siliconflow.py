"""SiliconFlow dialect over real HTTP, validated against the seed OpenAPI schemas."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import jsonschema
import pytest
from seedspecs import siliconflow_schema

from topup.sandbox.state import SandboxState


def info(client: httpx.Client, site: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(f"/{site}/v1/user/info", headers=headers)


def test_documented_envelope(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site("siliconflow")
    acc = state.add_account(site, granted="0.88", paid="88")
    r = info(client, site, acc.token)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    jsonschema.validate(body, siliconflow_schema("200"))
    assert body["code"] == 20000 and body["message"] == "OK" and body["status"] is True
    data = body["data"]
    assert set(data) == {
        "id", "name", "image", "email", "isAdmin", "balance", "status",
        "introduction", "role", "chargeBalance", "totalBalance",
    }  # fmt: skip
    assert (data["name"], data["image"], data["email"]) == ("", "", "")
    assert (data["balance"], data["chargeBalance"], data["totalBalance"]) == (
        "0.88",
        "88.00",
        "88.88",
    )
    for field in ("balance", "chargeBalance", "totalBalance"):
        assert isinstance(data[field], str)
    assert data["status"] == "normal"


@pytest.mark.parametrize(
    ("granted", "paid", "expected"),
    [("0", "-0.01", ("0.00", "-0.01", "-0.01")), ("0.1", "0.2", ("0.10", "0.20", "0.30")),
     ("1.2345", "0", ("1.2345", "0.00", "1.2345"))],
)  # fmt: skip
def test_amounts_are_exact_strings(
    client: httpx.Client,
    state: SandboxState,
    new_site: Callable[..., str],
    granted: str,
    paid: str,
    expected: tuple[str, str, str],
) -> None:
    site = new_site("siliconflow")
    acc = state.add_account(site, granted=granted, paid=paid)
    data = info(client, site, acc.token).json()["data"]
    assert (data["balance"], data["chargeBalance"], data["totalBalance"]) == expected
    assert Decimal(data["totalBalance"]) == Decimal(data["balance"]) + Decimal(
        data["chargeBalance"]
    )


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer"])
def test_bad_token_is_documented_401(
    client: httpx.Client, new_site: Callable[..., str], header: str | None
) -> None:
    site = new_site("siliconflow")
    headers = {"Authorization": header} if header is not None else {}
    r = client.get(f"/{site}/v1/user/info", headers=headers)
    assert r.status_code == 401
    jsonschema.validate(r.json(), siliconflow_schema("401"))
    assert r.json() == "Invalid token"


def test_wrong_dialect_and_unknown_site_are_404(
    client: httpx.Client, new_site: Callable[..., str]
) -> None:
    site = new_site("siliconflow")
    r = client.get(f"/{site}/api/user/self")
    assert r.status_code == 404
    r = client.get("/no-such-site/v1/user/info")
    assert r.status_code == 404
    newapi_site = new_site("newapi")
    r = client.get(f"/{newapi_site}/v1/user/info", headers={"Authorization": "Bearer x"})
    assert r.status_code == 404


@pytest.mark.parametrize(("kind", "status"), [("rate_limit", "429"), ("gateway_timeout", "504")])
def test_documented_error_statuses_have_string_bodies(
    client: httpx.Client,
    state: SandboxState,
    new_site: Callable[..., str],
    kind: str,
    status: str,
) -> None:
    site = new_site("siliconflow")
    acc = state.add_account(site, granted="1")
    state.set_fault(site, kind, times=1, retry_after=7)
    r = info(client, site, acc.token)
    assert r.status_code == int(status)
    jsonschema.validate(r.json(), siliconflow_schema(status))
    if kind == "rate_limit":
        assert r.headers["retry-after"] == "7"
    assert info(client, site, acc.token).status_code == 200  # times=1: only once


def test_success_false_under_200(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site("siliconflow")
    acc = state.add_account(site, granted="1")
    state.set_fault(site, "success_false", account=acc.id, times=1, message="boom")
    r = info(client, site, acc.token)
    assert r.status_code == 200
    assert r.json() == {"code": 50000, "message": "boom", "status": False, "data": None}


def test_spend_gift_first_then_paid(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site("siliconflow")
    acc = state.add_account(site, granted="1.00", paid="10.00")
    state.spend(site, account=acc.id, amount="1.50")
    data = info(client, site, acc.token).json()["data"]
    assert (data["balance"], data["chargeBalance"], data["totalBalance"]) == (
        "0.00",
        "9.50",
        "9.50",
    )
    state.spend(site, account=acc.id, amount=Decimal("9.51"))
    data = info(client, site, acc.token).json()["data"]
    assert data["totalBalance"] == "-0.01"
