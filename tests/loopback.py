"""A small real HTTP server on 127.0.0.1 for tests: answers by path from recorded exchanges.

::

    with Loopback() as server:
        server.route(Exchange("/a/v1/user/info", json={...}))
        server.throttle("/a/v1/user/info", times=1, retry_after="1")
        server.delay("/b/v1/user/info", 0.5)
        server.hang("/c/v1/user/info")
        ...  # base_url = server.url + "/a"
        server.count("/a/v1/user/info")

Each path answers with its exchanges in order (the last one repeats). A path may first answer
429 with ``Retry-After`` a number of times, wait before answering, or never answer (until the
server stops). The server counts requests per path and records the most requests in flight at
once, overall and per path prefix (the first path segment: one account's base URL).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from replay import response_for

from topup.platforms import Exchange


@dataclass
class _Throttle:
    times: int
    retry_after: str | None
    status: int = 429


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]


class Loopback:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, list[Exchange]] = {}
        self._served: Counter[str] = Counter()
        self._delays: dict[str, float] = {}
        self._hangs: set[str] = set()
        self._throttles: dict[str, _Throttle] = {}
        self._cut: dict[str, int] = {}
        self.counts: Counter[str] = Counter()
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._prefix_in_flight: Counter[str] = Counter()
        self.max_prefix_in_flight: Counter[str] = Counter()
        self._released = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- configuration ----------------------------------------------------------------------
    def route(self, *exchanges: Exchange) -> Loopback:
        """Answer each exchange's path with it (several for one path: in order, last repeats)."""
        with self._lock:
            for exchange in exchanges:
                self._routes.setdefault(exchange.path, []).append(exchange)
        return self

    def delay(self, path: str, seconds: float) -> Loopback:
        self._delays[path] = seconds
        return self

    def hang(self, path: str) -> Loopback:
        """Never answer this path (until the server stops)."""
        self._hangs.add(path)
        return self

    def throttle(
        self, path: str, times: int, retry_after: str | None = "1", status: int = 429
    ) -> Loopback:
        """Answer ``status`` (429) with ``Retry-After`` the first ``times`` requests."""
        self._throttles[path] = _Throttle(times, retry_after, status)
        return self

    def cut(self, path: str, keep: int) -> Loopback:
        """Announce the whole body but close the connection after ``keep`` bytes of it."""
        self._cut[path] = keep
        return self

    def count(self, path: str) -> int:
        with self._lock:
            return self.counts[path]

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    # -- life cycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Loopback:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Loopback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ----------------------------------------------------------------------------
    def _enter(self, seen: Seen) -> tuple[str, Any]:
        path = seen.path
        prefix = "/" + path.lstrip("/").split("/", 1)[0]
        with self._lock:
            self.counts[path] += 1
            self.requests.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._prefix_in_flight[prefix] += 1
            self.max_prefix_in_flight[prefix] = max(
                self.max_prefix_in_flight[prefix], self._prefix_in_flight[prefix]
            )
            throttle = self._throttles.get(path)
            if throttle is not None and throttle.times > 0:
                throttle.times -= 1
                headers = {"retry-after": throttle.retry_after} if throttle.retry_after else {}
                return prefix, Exchange(path, status=throttle.status, json="busy", headers=headers)
            exchanges = self._routes.get(path)
            if not exchanges:
                return prefix, Exchange(path, status=404, text="404 page not found")
            index = min(self._served[path], len(exchanges) - 1)
            self._served[path] += 1
            return prefix, exchanges[index]

    def _leave(self, prefix: str) -> None:
        with self._lock:
            self.in_flight -= 1
            self._prefix_in_flight[prefix] -= 1


def _handler(server: Loopback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self) -> None:
            path = self.path.split("?", 1)[0]
            seen = Seen(self.command, path, {k.lower(): v for k, v in self.headers.items()})
            prefix, exchange = server._enter(seen)
            try:
                if path in server._hangs:
                    server._released.wait(60)
                    self.close_connection = True
                    return
                wait = server._delays.get(path)
                if wait:
                    time.sleep(wait)
                response = response_for(exchange)
                body = response.content
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                keep = server._cut.get(path)
                if keep is not None:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[:keep])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            finally:
                server._leave(prefix)

        do_GET = _answer
        do_POST = _answer

    return Handler


def free_port() -> int:
    """A loopback port nobody listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(*exchanges: Exchange) -> Iterator[Loopback]:
    with Loopback() as server:
        server.route(*exchanges)
        yield server
