"""Socket-level faults: a TCP reset with no answer, and a body that never ends.

uvicorn does not expose the transport to the ASGI app, so :func:`protocol_class` subclasses
uvicorn's HTTP protocol to remember each connection's transport by its (server, client)
addresses, which are exactly ``scope["server"]`` and ``scope["client"]``. A reset then sets
``SO_LINGER`` to zero and aborts the transport: the kernel sends RST, the client sees a
connection reset (or "server disconnected without sending a response").
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

Addr = tuple[Any, ...]
_TRANSPORTS: dict[tuple[Addr, Addr], asyncio.Transport] = {}


def _key(server: Any, client: Any) -> tuple[Addr, Addr] | None:
    if not server or not client:
        return None
    return (tuple(server), tuple(client))


def protocol_class() -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, remembering transports so the app can reset a connection."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    base: Any = AutoHTTPProtocol

    class SandboxHTTPProtocol(base):  # type: ignore[misc]
        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            key = _key(self.server, self.client)
            if key is not None:
                _TRANSPORTS[key] = transport
                self._sandbox_key = key

        def connection_lost(self, exc: Exception | None) -> None:
            key = getattr(self, "_sandbox_key", None)
            if key is not None and _TRANSPORTS.get(key) is self.transport:
                del _TRANSPORTS[key]
            super().connection_lost(exc)

    return SandboxHTTPProtocol


class ResetResponse(Response):
    """Close the socket with a TCP reset and answer nothing."""

    def __init__(self) -> None:
        super().__init__(content=b"", status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key(scope.get("server"), scope.get("client"))
        transport = _TRANSPORTS.get(key) if key is not None else None
        if transport is None:
            # not behind our uvicorn protocol (e.g. in-process ASGI): the closest thing
            raise ConnectionResetError("sandbox fault: connection_reset")
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        # let connection_lost run so uvicorn knows the client is gone and sends nothing
        for _ in range(3):
            await asyncio.sleep(0)


class EndlessResponse(Response):
    """HTTP 200 whose JSON body trickles one byte every ``interval`` seconds, until the client
    leaves (or ``max_seconds`` pass, then the body is finished)."""

    def __init__(self, interval: float = 0.1, max_seconds: float = 3600.0) -> None:
        super().__init__(content=b"", status_code=200, media_type="application/json")
        self.interval = interval
        self.max_seconds = max_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gone = asyncio.Event()

        async def watch() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone.set()
                    return

        watcher = asyncio.create_task(watch())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_seconds
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
            while not gone.is_set():
                if loop.time() >= deadline:
                    await send({"type": "http.response.body", "body": b"null}", "more_body": False})
                    return
                try:
                    await asyncio.wait_for(gone.wait(), self.interval)
                except TimeoutError:
                    await send({"type": "http.response.body", "body": b" ", "more_body": True})
        finally:
            watcher.cancel()
