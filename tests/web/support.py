"""Builders for the web tests: a real SQLite store with synthetic history, a real uvicorn server.

History (relative to now): ``alpha`` (CNY) spends hourly for 7 days with a top-up, ``bravo``
(USD) spends for 3 days, ``charlie`` failed its last check after good ones, ``delta``'s last
good check is 5 hours old (stale), ``echo`` was never checked, ``unlim`` is unlimited. Every
account carries :data:`CANARY` as its credential; it must never appear in any answer.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from topup.account import Account
from topup.model import CheckResult, Status
from topup.secrets import Secret
from topup.storage import Store, sqlite_url
from topup.web import create_app

CANARY = "sk-CANARY-7f3a9c1e5b2d4f60aa"
TOKEN = "test-token-0123456789abcdef"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def make_accounts() -> list[Account]:
    def acct(name: str, provider: str, **kw: object) -> Account:
        return Account(
            name=name,
            provider=provider,
            credentials={"api_key": Secret(CANARY), "access_token": Secret(CANARY + "-x")},
            base_url=None if provider == "siliconflow" else "https://relay.example.com",
            **kw,  # type: ignore[arg-type]
        )

    return [
        acct("alpha", "siliconflow"),
        acct("bravo", "newapi", options={"user_id": "42"}),
        acct("charlie", "newapi", options={"user_id": "7"}),
        acct("delta", "aihubmix"),
        acct("echo", "siliconflow"),
        acct("unlim", "newapi"),
    ]


def ok(
    name: str, provider: str, at: datetime, balance: str, currency: str = "USD", **kw: object
) -> CheckResult:
    return CheckResult(
        account=name,
        provider=provider,
        status=Status.OK,
        currency=currency,
        balance=Decimal(balance),
        checked_at=at,
        duration=0.123,
        **kw,  # type: ignore[arg-type]
    )


def seed(store: Store, now: datetime) -> None:
    results: list[tuple[CheckResult, str | None]] = []
    # alpha: 7 days hourly, 100 → spends 0.25/h, topped up by 50 three days ago.
    balance = Decimal("100")
    for h in range(7 * 24, 0, -1):
        if h == 72:
            balance += 50
        balance -= Decimal("0.25")
        used = Decimal("1000") - balance
        at = now - timedelta(hours=h)
        results.append((ok("alpha", "siliconflow", at, str(balance), "CNY", used=used), "fp"))
    # bravo: 3 days every 2 h, 20 → -0.1 each.
    b = Decimal("20")
    for h in range(72, 0, -2):
        b -= Decimal("0.1")
        results.append((ok("bravo", "newapi", now - timedelta(hours=h, minutes=5), str(b)), "fp"))
    # charlie: good for a day, then the last check failed.
    for h in range(24, 2, -1):
        results.append((ok("charlie", "newapi", now - timedelta(hours=h), str(5 + h / 10)), "fp"))
    results.append(
        (
            CheckResult.failure(
                "charlie",
                "newapi",
                Status.UNREACHABLE,
                "connection refused by relay.example.com",
                checked_at=now - timedelta(minutes=10),
                duration=2.5,
            ),
            "fp",
        )
    )
    # delta: good 2 days ago to 5 h ago, nothing since (stale).
    for h in range(48, 4, -4):
        results.append((ok("delta", "aihubmix", now - timedelta(hours=h), str(300 - h)), "fp"))
    # unlim: an unlimited key.
    results.append(
        (
            CheckResult(
                account="unlim",
                provider="newapi",
                status=Status.OK,
                currency="USD",
                unlimited=True,
                used=Decimal("12.5"),
                checked_at=now - timedelta(minutes=3),
            ),
            "fp",
        )
    )
    store.record(results)
    store.record_alert(
        "alpha", "low_balance", "fired", "alpha below 60 CNY", at=now - timedelta(days=4)
    )
    store.record_alert("alpha", "low_balance", "recovered", "topped up", at=now - timedelta(days=3))


@dataclass
class Sandbox:
    """A stand-in for the checker: sandbox-style answers, recorded like the watcher does."""

    store: Store
    calls: list[list[str] | None] = field(default_factory=list)
    step: int = 0

    async def check_now(self, names: list[str] | None) -> list[CheckResult]:
        self.calls.append(names)
        self.step += 1
        await asyncio.sleep(0.05)
        now = datetime.now(UTC)
        wanted = names or ["alpha", "bravo", "charlie"]
        results = []
        for name in wanted:
            if name == "charlie":
                results.append(
                    CheckResult.failure(
                        name, "newapi", Status.AUTH_ERROR, "401 from relay", checked_at=now
                    )
                )
            else:
                provider = "siliconflow" if name in ("alpha", "echo") else "newapi"
                currency = "CNY" if name == "alpha" else "USD"
                value = Decimal("42.42") - self.step
                results.append(ok(name, provider, now, str(value), currency))
        self.store.record([(r, "fp") for r in results])
        return results


@dataclass
class Server:
    url: str
    store: Store
    sandbox: Sandbox
    token: str | None
    now: datetime

    def client(self, *, auth: bool = True) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Without it, a pre-bound socket handed to uvicorn waits on delayed ACKs (~40 ms).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by a real uvicorn on a free loopback port (in a thread); its base URL."""
    sock = free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def serve(tmp: Path, token: str | None) -> Iterator[Server]:
    store = Store.open(sqlite_url(tmp / "topup.db"))
    now = datetime.now(UTC)
    seed(store, now)
    sandbox = Sandbox(store)
    app = create_app(
        store=store, accounts=make_accounts(), check_now=sandbox.check_now, token=token
    )
    try:
        with serving(app) as url:
            yield Server(url, store, sandbox, token, now)
    finally:
        store.close()
