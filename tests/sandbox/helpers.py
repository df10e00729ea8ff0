"""Helpers of the sandbox tests: an injectable clock, one in-process request, a held lock."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from topup.sandbox.app import create_app
from topup.sandbox.state import SandboxState


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
