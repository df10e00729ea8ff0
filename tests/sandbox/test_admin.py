"""The /_sandbox/ admin API: over real HTTP from loopback, refused for anyone else."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from topup.sandbox.app import create_app
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState


def test_admin_round_trip(server: SandboxServer, client: httpx.Client) -> None:
    site = "admin-relay"
    r = client.post(
        "/_sandbox/sites", json={"name": site, "dialect": "newapi", "auth_era": "newest"}
    )
    assert r.status_code == 201, r.text
    assert (
        client.post("/_sandbox/sites", json={"name": site, "dialect": "newapi"}).status_code == 400
    )
    r = client.post(f"/_sandbox/sites/{site}/accounts", json={"balance": "2.5"})
    assert r.status_code == 201
    acc = r.json()
    assert acc["quota"] == 1_250_000
    r = client.post(f"/_sandbox/sites/{site}/keys", json={"remain": 1000, "key": "sk-admin"})
    assert r.status_code == 201 and r.json()["key"] == "sk-admin"
    r = client.post(f"/_sandbox/sites/{site}/spend", json={"account": acc["id"], "amount": "0.5"})
    assert r.json()["quota"] == 1_000_000
    r = client.post(f"/_sandbox/sites/{site}/balance", json={"key": "sk-admin", "quota": 0})
    assert r.json()["remain"] == 0
    r = client.post(
        f"/_sandbox/sites/{site}/spend-rate", json={"account": acc["id"], "per_hour": "1"}
    )
    assert r.json()["spend_rate"] == "1"
    r = client.patch(f"/_sandbox/sites/{site}/accounts/{acc['id']}", json={"status": 2})
    assert r.json()["status"] == 2
    r = client.post(f"/_sandbox/sites/{site}/faults", json={"kind": "gone", "times": 1})
    assert r.status_code == 201
    assert client.get(f"/{site}/api/status").status_code == 410
    r = client.post(f"/_sandbox/sites/{site}/faults", json={"kind": "html_503", "key": "sk-admin"})
    assert client.delete("/_sandbox/faults", params={"site": site}).json() == {"cleared": 1}
    r = client.post(f"/_sandbox/sites/{site}/bulk", json={"accounts": 50, "keys": 5, "quota": 10})
    assert r.status_code == 201
    assert len(r.json()["accounts"]) == 50 and len(r.json()["keys"]) == 5
    snap = client.get("/_sandbox/state", params={"site": site}).json()
    assert len(snap["accounts"]) == 51 and len(snap["keys"]) == 6
    assert client.post("/_sandbox/sites/nope/accounts", json={}).status_code == 404
    assert client.post(f"/_sandbox/sites/{site}/faults", json={"kind": "nope"}).status_code == 422
    assert client.post("/_sandbox/flush").status_code == 200


@pytest.mark.parametrize(
    ("host", "allowed"),
    [("10.0.0.5", False), ("192.168.1.2", False), ("2001:db8::1", False), ("testclient", False),
     ("127.0.0.1", True), ("::1", True)],
)  # fmt: skip
def test_admin_refuses_non_loopback(host: str, allowed: bool) -> None:
    app = create_app(SandboxState())

    async def call() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app, client=(host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as c:
            state = await c.get("/_sandbox/state")
            site = await c.post("/_sandbox/sites", json={"name": "s", "dialect": "newapi"})
            return state.status_code, site.status_code

    codes = asyncio.run(call())
    assert codes == ((200, 201) if allowed else (403, 403))


def test_balance_routes_answer_anyone() -> None:
    st = SandboxState()
    st.add_site("s", "newapi")
    app = create_app(st)

    async def call() -> int:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.5", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as c:
            return (await c.get("/s/api/status")).status_code

    assert asyncio.run(call()) == 200
