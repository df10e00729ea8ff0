"""State listings are taken under the lock: reads during bulk creation never fail."""

from __future__ import annotations

import threading
import time

import httpx

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

from .helpers import holding


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
