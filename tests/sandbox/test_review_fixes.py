"""Regression tests for the sandbox review: one (or a few) per fix, over real HTTP or ASGI."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.cli.app import app as cli_app
from topup.sandbox.app import create_app
from topup.sandbox.server import SandboxServer, uvicorn_config
from topup.sandbox.state import SandboxError, SandboxState


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def asgi(st: SandboxState, method: str, path: str, **kw: Any) -> httpx.Response:
    """One request to a fresh app over ``st`` (in-process; server errors become 500s)."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(st), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as c:
            return await c.request(method, path, **kw)

    return asyncio.run(call())


@contextlib.contextmanager
def holding(lock: Any, seconds: float) -> Iterator[threading.Thread]:
    """Hold ``lock`` in another thread for ``seconds`` (like a long bulk admin call)."""
    taken = threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            time.sleep(seconds)

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    assert taken.wait(5)
    try:
        yield t
    finally:
        t.join()


# ------------------------------------------------------------------ 1. flush off the loop
def test_flush_never_blocks_requests_while_the_state_lock_is_held() -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    acc = st.add_account("r", quota=100, token="tok")
    with SandboxServer(st) as srv, httpx.Client(base_url=srv.url, timeout=10) as c:
        hdr = {"Authorization": "tok", "New-Api-User": acc.id}
        assert c.get("/r/api/user/self", headers=hdr).status_code == 200  # a dirty counter
        assert st.has_dirty()
        worst = 0.0
        with holding(st._lock, 2.5):  # longer than FLUSH_SECONDS: the flusher must wait
            deadline = time.monotonic() + 2.2
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                assert c.get("/r/api/status").status_code == 200
                worst = max(worst, time.monotonic() - t0)
                time.sleep(0.05)
        assert worst < 0.5, f"a request waited {worst:.2f}s for the flush"
        deadline = time.monotonic() + 5  # and the counter still reaches SQLite afterwards
        while st.has_dirty() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not st.has_dirty()


def test_flush_with_nothing_dirty_takes_no_lock() -> None:
    st = SandboxState()
    with holding(st._lock, 1.0):
        t0 = time.monotonic()
        assert st.flush() == 0
        assert time.monotonic() - t0 < 0.5


# ------------------------------------------------------------------ 2. odd user-id headers
@pytest.mark.parametrize(
    "value", ["\u00b2", "\u00b9", "--1", "1" * 5000, "1" * 19, "0x1", "+1", "1e3"]
)
def test_odd_user_id_header_is_the_format_401(value: str) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    st.add_account("r", quota=1000, token="tok")
    headers = {"Authorization": b"Bearer tok", "New-Api-User": value.encode("latin-1")}
    r = asgi(st, "GET", "/r/api/user/self", headers=headers)
    assert r.status_code == 401, r.text
    assert r.json() == {"success": False, "message": "无权进行此操作,New-Api-User 格式错误"}


def test_good_user_id_headers_still_work() -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    st.add_account("r", id="123456789012345678", quota=1000, token="tok")
    r = asgi(
        st,
        "GET",
        "/r/api/user/self",
        headers={"Authorization": "tok", "New-Api-User": " 123456789012345678 "},
    )
    assert r.status_code == 200 and r.json()["data"]["id"] == 123456789012345678


# ------------------------------------------------------------------ 3. exact spend-rate maths
def test_spend_rate_is_exact_for_both_dialects() -> None:
    wrong: list[tuple[str, int]] = []
    for rate in ["3", "7", "0.3", "1.7", "9", "0.0001"]:
        for minutes in range(1, 121):
            clock = Clock()
            st = SandboxState(clock=clock)
            st.add_site("sf", "siliconflow")
            st.add_site("r", "newapi")
            acc = st.add_account("sf", paid="100")
            key = st.add_key("r", remain=10**9)
            st.set_spend_rate("sf", account=acc.id, per_hour=rate)
            st.set_spend_rate("r", key=key.key, per_hour=rate)
            clock.advance(minutes=minutes)
            spent = (Decimal(rate) * minutes / 60).quantize(Decimal("0.0001"), ROUND_DOWN)
            if st.current(acc).total != Decimal(100) - spent:
                wrong.append((rate, minutes))
            if st.current(key).remain != 10**9 - int(Fraction(rate) * 500000 * minutes / 60):
                wrong.append((rate, minutes))
    assert wrong == []


# ------------------------------------------------------------------ 4. no drift from admin calls
def test_many_admin_calls_cause_no_spend_rate_drift(tmp_path: Path) -> None:
    clock = Clock()
    st = SandboxState(path=tmp_path / "s.db", clock=clock)
    st.add_site("sf", "siliconflow")
    st.add_site("r", "newapi")
    touched = st.add_account("sf", paid="10")
    untouched = st.add_account("sf", paid="10")
    key = st.add_key("r", remain=1_000_000)
    for a in (touched, untouched):
        st.set_spend_rate("sf", account=a.id, per_hour="0.01")
    st.set_spend_rate("r", key=key.key, per_hour="0.001")  # 500 quota an hour
    for _ in range(120):  # an hour of admin calls every 30 s, each worth < one unit
        clock.advance(seconds=30)
        st.spend("sf", account=touched.id, amount="0")
        st.spend("r", key=key.key, quota=0)
        st.set_spend_rate("sf", account=touched.id, per_hour="0.01")  # same rate: no restart
    assert st.current(touched).total == Decimal("9.99") == st.current(untouched).total
    assert st.current(key).remain == 1_000_000 - 500
    st.close()
    again = SandboxState(path=tmp_path / "s.db", clock=clock)  # the running total persists
    clock.advance(hours=1)
    assert again.current(again.account("sf", touched.id)).total == Decimal("9.98")
    assert again.current(again.key("r", key.key)).remain == 1_000_000 - 1000


def test_a_backwards_clock_step_never_raises_a_balance() -> None:
    clock = Clock()
    st = SandboxState(clock=clock)
    st.add_site("sf", "siliconflow")
    acc = st.add_account("sf", paid="10")
    st.set_spend_rate("sf", account=acc.id, per_hour="1")
    clock.advance(hours=3)
    assert st.current(acc).total == 7
    clock.advance(hours=-4)
    assert st.current(acc).total == 7
    st.spend("sf", account=acc.id, amount="0")
    clock.advance(hours=4)
    assert st.current(acc).total == 7
    clock.advance(hours=1)
    assert st.current(acc).total == 6


# ------------------------------------------------------------------ 5. listings under the lock
def test_snapshot_and_lists_take_the_state_lock() -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    st.add_account("r", quota=1)
    done: list[int] = []

    def read() -> None:
        snap = st.snapshot()
        done.append(len(snap["accounts"]) + len(st.list_accounts()) + len(st.list_keys()))

    with holding(st._lock, 0.6):
        reader = threading.Thread(target=read)
        reader.start()
        time.sleep(0.3)
        assert done == []  # waiting for the lock, not iterating a dict being changed
    reader.join(5)
    assert done == [2]


def test_state_reads_during_bulk_creation_never_fail() -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    codes: dict[int, int] = {}
    with SandboxServer(st) as srv:
        stop = threading.Event()

        def reader() -> None:
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                while not stop.is_set():
                    code = c.get("/_sandbox/state", params={"site": "r"}).status_code
                    codes[code] = codes.get(code, 0) + 1

        readers = [threading.Thread(target=reader) for _ in range(2)]
        for t in readers:
            t.start()
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            for _ in range(25):
                body = {"accounts": 100, "keys": 100, "quota": 10}
                assert c.post("/_sandbox/sites/r/bulk", json=body).status_code == 201
        stop.set()
        for t in readers:
            t.join()
    assert set(codes) == {200}


# ------------------------------------------------------------------ 6. expiry on the state clock
def test_key_and_token_expiry_follow_the_state_clock() -> None:
    clock = Clock(datetime.now(UTC))
    st = SandboxState(clock=clock)
    st.add_site("r", "newapi", auth_era="newest")
    soon = int(clock().timestamp()) + 3600
    key = st.add_key("r", remain=5_000_000, expires_at=soon)
    st.add_account("r", quota=5, token="tok", token_expires_at=soon)
    auth = {"Authorization": "Bearer " + key.key}
    assert asgi(st, "GET", "/r/api/usage/token/", headers=auth).status_code == 200
    clock.advance(hours=2)  # sandbox time only; the wall clock has not moved
    r = asgi(st, "GET", "/r/api/usage/token/", headers=auth)
    assert r.status_code == 401 and r.json()["error"]["message"] == "该令牌已过期"
    r = asgi(st, "GET", "/r/api/user/self", headers={"Authorization": "tok"})
    assert r.status_code == 401 and r.json()["code"] == "AUTH_TOKEN_EXPIRED"


# ------------------------------------------------------------------ 7. TOKENS display
def test_tokens_display_billing_answers_raw_quota() -> None:
    st = SandboxState()
    st.add_site("t", "newapi", display="TOKENS")
    st.add_site("u", "newapi", display="USD")
    for site in ("t", "u"):
        st.add_key(site, key="sk-" + site, remain=1_500_000, used=500_000)

    def billing(site: str, what: str) -> dict[str, Any]:
        auth = {"Authorization": f"Bearer sk-{site}"}
        r = asgi(st, "GET", f"/{site}/v1/dashboard/billing/{what}", headers=auth)
        assert r.status_code == 200
        body: dict[str, Any] = r.json()
        return body

    sub_t = billing("t", "subscription")
    assert sub_t["hard_limit_usd"] == 2_000_000 == sub_t["soft_limit_usd"]
    assert billing("t", "usage")["total_usage"] == 500_000 * 100  # amount * 100, undivided
    assert billing("u", "subscription")["hard_limit_usd"] == 4
    assert billing("u", "usage")["total_usage"] == 100


# ------------------------------------------------------------------ 8. no proxy headers
def test_forwarded_headers_never_change_the_admin_client_address() -> None:
    config = uvicorn_config(create_app(SandboxState()), "127.0.0.1", 0)
    assert config.proxy_headers is False
    with SandboxServer(SandboxState()) as srv:
        for hdr in ({"X-Forwarded-For": "10.0.0.5"}, {"Forwarded": "for=10.0.0.5"}):
            # with proxy headers on, uvicorn would trust loopback and make this client remote
            assert httpx.get(f"{srv.url}/_sandbox/state", headers=hdr).status_code == 200


# ------------------------------------------------------------------ 9. admin input validation
@pytest.mark.parametrize(
    ("site", "body"),
    [
        ("r", {"id": "9" * 5000, "token": "big", "quota": 5}),
        ("r", {"id": "\u00b2", "token": "sq"}),
        ("sf", {"id": "\u00b2", "token": "sq", "paid": "1"}),
        ("r", {"id": "-1", "token": "neg"}),
        ("r", {"id": "1" * 19, "token": "long"}),
        ("sf", {"token": "a", "paid": "1e30"}),
        ("sf", {"token": "a", "granted": "-1e15"}),
        ("sf", {"token": "a", "paid": "NaN"}),
        ("r", {"token": "b", "balance": "1e5000"}),
        ("r", {"token": "b", "quota": 10**18}),
    ],
)
def test_bad_admin_input_is_a_422_and_creates_nothing(site: str, body: dict[str, Any]) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    st.add_site("sf", "siliconflow")
    r = asgi(st, "POST", f"/_sandbox/sites/{site}/accounts", json=body)
    assert r.status_code == 422, r.text
    assert st.list_accounts() == []
    auth = {"Authorization": f"Bearer {body['token']}"}
    path = "/sf/v1/user/info" if site == "sf" else "/r/api/user/self"
    assert asgi(st, "GET", path, headers=auth).status_code < 500


def test_bad_amounts_in_later_admin_calls_are_422() -> None:
    st = SandboxState()
    st.add_site("sf", "siliconflow")
    acc = st.add_account("sf", paid="1", token="t")
    for path, body in [
        ("balance", {"account": acc.id, "paid": "1e30"}),
        ("spend", {"account": acc.id, "amount": "Infinity"}),
        ("spend-rate", {"account": acc.id, "per_hour": "1e15"}),
        ("balance", {"account": "\u00b2", "paid": "1"}),
    ]:
        r = asgi(st, "POST", f"/_sandbox/sites/sf/{path}", json=body)
        assert r.status_code == 422, (path, body, r.text)
    r = asgi(st, "GET", "/sf/v1/user/info", headers={"Authorization": "Bearer t"})
    assert r.status_code == 200 and r.json()["data"]["totalBalance"] == "1.00"


def test_state_api_bounds_amounts_too() -> None:
    st = SandboxState()
    st.add_site("sf", "siliconflow")
    st.add_site("r", "newapi")
    with pytest.raises(SandboxError):
        st.add_account("sf", paid="1e30")
    with pytest.raises(SandboxError):
        st.add_account("sf", id="\u00b2")
    with pytest.raises(SandboxError):
        st.add_key("r", balance="1e5000")
    acc = st.add_account("sf", paid="1")
    with pytest.raises(SandboxError):
        st.set_balance("sf", account=acc.id, granted="sNaN")
    assert st.current(acc).total == 1


def test_an_account_is_indexed_only_after_its_write(monkeypatch: pytest.MonkeyPatch) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")

    def broken(items: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(st, "_write", broken)
    for make in (
        lambda: st.add_account("r", token="tok", quota=1),
        lambda: st.bulk_accounts("r", 3, quota=1),
        lambda: st.add_key("r", key="sk-x", remain=1),
        lambda: st.bulk_keys("r", 3, remain=1),
    ):
        with pytest.raises(OSError):
            make()
    assert st.account_by_token("r", "tok") is None and st.list_accounts() == []
    assert st.find_key("r", "sk-x") is None and st.list_keys() == []
    monkeypatch.undo()
    assert st.add_account("r", quota=1).id == "1"


# ------------------------------------------------------------------ 10. unknown admin fields
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_sandbox/sites/r/faults", {"kind": "latency", "seconds": 5}),
        ("/_sandbox/sites/r/accounts", {"quota": 5, "qouta": 7}),
        ("/_sandbox/sites/r/keys", {"remain": 5, "expires": 1}),
        ("/_sandbox/sites/r/bulk", {"accounts": 1, "count": 5}),
        ("/_sandbox/sites", {"name": "x", "dialect": "newapi", "era": "newest"}),
    ],
)
def test_unknown_admin_fields_are_refused(path: str, body: dict[str, Any]) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    r = asgi(st, "POST", path, json=body)
    assert r.status_code == 422, r.text
    assert st.faults == {} and st.list_accounts() == [] and st.list_keys() == []


# ------------------------------------------------------------------ 11. CLI port handling
def test_cli_port_out_of_range_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli_app, ["sandbox", "--port", "99999"])
    assert result.exit_code == 2 and result.exception is not None
    assert "Traceback" not in result.output and "--port" in result.output


def test_cli_busy_port_exits_1_before_printing_a_config() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["sandbox", "--port", str(port), "--seed-demo"])
    assert result.exit_code == 1, result.output
    assert f"could not listen on 127.0.0.1:{port}; is the port in use?" in result.output
    assert "[[accounts]]" not in result.output and "Traceback" not in result.output


def test_cli_serves_on_the_socket_it_bound() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "topup", "sandbox", "--port", "0", "--seed-demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        url = ""
        deadline = time.monotonic() + 20
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "sandbox on " in line:
                url = line.split("sandbox on ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        for _ in range(100):
            with contextlib.suppress(httpx.TransportError):
                r = httpx.get(url + "/_sandbox/state", timeout=2)
                break
            time.sleep(0.1)
        assert r.status_code == 200 and len(r.json()["sites"]) > 0
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
