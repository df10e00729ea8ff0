"""Request counters reach SQLite off the event loop, without blocking requests."""

from __future__ import annotations

import time

import httpx

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

from .helpers import holding


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
