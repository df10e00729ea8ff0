"""Every fault, as an httpx client sees it over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx
import pytest

from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState


@pytest.fixture
def relay(state: SandboxState, new_site: Callable[..., str]) -> tuple[str, str, str]:
    """A new-api site (no user header) with one account; returns (site, token, user id)."""
    site = new_site(auth_era="oneapi")
    acc = state.add_account(site, quota=1_000_000)
    return site, acc.token, acc.id


def get_self(client: httpx.Client, site: str, token: str, **kw: object) -> httpx.Response:
    return client.get(f"/{site}/api/user/self", headers={"Authorization": token}, **kw)  # type: ignore[arg-type]


def test_latency_does_not_block_other_requests(
    server: SandboxServer, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, token, _ = relay
    state.set_fault(site, "latency", latency_ms=2000)
    fast_site = f"{site}-fast"
    state.add_site(fast_site, "newapi", auth_era="oneapi")
    fast = state.add_account(fast_site, quota=1)

    async def run() -> tuple[float, float]:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as c:
            start = time.perf_counter()
            slow = [
                c.get(f"/{site}/api/user/self", headers={"Authorization": token}) for _ in range(20)
            ]
            tasks = [asyncio.create_task(x) for x in slow]
            await asyncio.sleep(0.05)
            r = await c.get(f"/{fast_site}/api/user/self", headers={"Authorization": fast.token})
            fast_done = time.perf_counter() - start
            assert r.status_code == 200
            answers = await asyncio.gather(*tasks)
            assert all(a.status_code == 200 for a in answers)
            return fast_done, time.perf_counter() - start

    fast_done, all_done = asyncio.run(run())
    # A wide gap between "answered" and "stuck" so a loaded 2-core machine cannot blur it.
    assert fast_done < 1.0  # well under one 2 s sleep: not stuck behind the sleeping requests
    assert 2.0 <= all_done < 3.5  # 20 sleeps of 2 s ran concurrently (in turn: 40 s)


def test_times_counts_down_and_targets(
    client: httpx.Client, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, token, uid = relay
    other = state.add_account(site, quota=5)
    state.set_fault(site, "html_503", account=uid, times=2)
    assert get_self(client, site, other.token).status_code == 200  # only that account
    assert get_self(client, site, token).status_code == 503
    assert get_self(client, site, token).status_code == 503
    assert get_self(client, site, token).status_code == 200
    state.set_fault(site, "gone")
    assert get_self(client, site, token).status_code == 410
    assert state.clear_faults(site) == 1
    assert get_self(client, site, token).status_code == 200


def test_rate_limit(client: httpx.Client, state: SandboxState, relay: tuple[str, str, str]) -> None:
    site, token, _ = relay
    state.set_fault(site, "rate_limit", times=1, retry_after=30)
    r = get_self(client, site, token)
    assert r.status_code == 429 and r.headers["retry-after"] == "30"
    assert r.json()["success"] is False


@pytest.mark.parametrize(
    ("kind", "status", "text"),
    [("html_503", 503, "503 Service Temporarily Unavailable"), ("gateway_timeout", 504, "504"),
     ("gone", 410, "410 Gone")],
)  # fmt: skip
def test_html_error_pages(
    client: httpx.Client,
    state: SandboxState,
    relay: tuple[str, str, str],
    kind: str,
    status: int,
    text: str,
) -> None:
    site, token, _ = relay
    state.set_fault(site, kind, times=1)
    r = get_self(client, site, token)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert text in r.text and "nginx" in r.text


def test_truncated_json(
    client: httpx.Client, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, token, _ = relay
    whole = get_self(client, site, token).text
    state.set_fault(site, "truncated_json", times=1)
    r = get_self(client, site, token)
    assert r.status_code == 200
    assert 0 < len(r.text) < len(whole) and whole.startswith(r.text[:20])
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)


def test_success_false(
    client: httpx.Client, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, token, _ = relay
    state.set_fault(site, "success_false", times=1, message="系统维护中")
    r = get_self(client, site, token)
    assert r.status_code == 200 and r.json() == {"success": False, "message": "系统维护中"}


def test_key_faults(
    client: httpx.Client, state: SandboxState, new_site: Callable[..., str]
) -> None:
    site = new_site(auth_era="newapi")
    k = state.add_key(site, remain=10)
    state.set_fault(site, "rate_limit", key=k.key, times=1)
    r = client.get(f"/{site}/api/usage/token/", headers={"Authorization": f"Bearer {k.key}"})
    assert r.status_code == 429


def test_connection_reset(
    client: httpx.Client, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, token, _ = relay
    state.set_fault(site, "connection_reset", times=1)
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as info:
        get_self(client, site, token)
    assert isinstance(info.value, httpx.TransportError)
    assert get_self(client, site, token).status_code == 200  # the server is fine afterwards


def test_endless_body_never_finishes(
    server: SandboxServer, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, token, _ = relay
    state.set_fault(site, "endless_body", times=1, interval_ms=50)
    # bytes keep coming, so a read timeout never fires: only an overall deadline helps
    with (
        httpx.Client(base_url=server.url, timeout=httpx.Timeout(0.5)) as c,
        c.stream("GET", f"/{site}/api/user/self", headers={"Authorization": token}) as r,
    ):
        assert r.status_code == 200
        got = b""
        deadline = time.monotonic() + 1.0
        for chunk in r.iter_raw():
            got += chunk
            if time.monotonic() > deadline:
                break
        else:
            pytest.fail("the endless body ended")
    assert got.startswith(b'{"data":') and len(got) > 10


def test_endless_body_slow_trickle_hits_read_timeout(
    server: SandboxServer, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, token, _ = relay
    state.set_fault(site, "endless_body", times=1, interval_ms=3000)
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(0.3)) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.get(f"/{site}/api/user/self", headers={"Authorization": token})
        # the server noticed the client leaving and still answers others
        assert c.get(f"/{site}/api/user/self", headers={"Authorization": token}).status_code == 200


def test_site_faults_hit_status_too(
    client: httpx.Client, state: SandboxState, relay: tuple[str, str, str]
) -> None:
    site, _, _ = relay
    state.set_fault(site, "html_503", times=1)
    assert client.get(f"/{site}/api/status").status_code == 503
    assert client.get(f"/{site}/api/status").status_code == 200
