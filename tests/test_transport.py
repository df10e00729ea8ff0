"""The aiohttp-backed transport over real loopback sockets: failures classified as with httpx,
raw (still compressed) bodies in small chunks, only the adapter's headers, no cookies, no
redirects, connections reused, and httpx's own transport where a proxy is involved."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import aiohttp
import httpx
import pytest
from loopback import free_port

from topup.account import Account
from topup.bodies import STEP, TooLarge, decoded_response, read_body
from topup.config import build_account
from topup.model import CheckResult, Status
from topup.runner import Runner, RunOptions, _transport_failure
from topup.transport import AiohttpTransport, _as_httpx

SF_BODY = json.dumps(
    {"code": 20000, "status": True, "data": {"totalBalance": "4.20", "balance": "0"}}
).encode()

Behaviour = Callable[[socket.socket, bytes], None]


def answer(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class RawServer:
    """A TCP server on 127.0.0.1 whose every request gets ``behaviour(connection, request)``;
    it records each request's bytes and counts connections."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
            try:
                while True:
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buffer += data
                        if buffer.startswith(b"\x16"):  # a TLS ClientHello: answer it as is
                            buffer += b"\r\n\r\n"
                    request, _, buffer = buffer.partition(b"\r\n\r\n")
                    self.requests.append(request)
                    self.behaviour(conn, request)
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Behaviour], RawServer]]:
    servers: list[RawServer] = []

    def make(behaviour: Behaviour) -> RawServer:
        servers.append(RawServer(behaviour))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def account(base_url: str, **more: object) -> Account:
    return build_account(
        {"name": "a", "provider": "siliconflow", "api_key": "sk-abcdefgh12345678", **more}
        | {"base_url": base_url},
        env={},
    )


def check(*accounts: Account, timeout: float = 3) -> list[CheckResult]:
    async def main() -> list[CheckResult]:
        async with Runner(RunOptions(retries=0, timeout=timeout)) as runner:
            assert runner._aiohttp is not None  # the path under test
            return await runner.check_all(accounts)

    return asyncio.run(main())


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# -- failures: the same statuses and messages as over httpx's transport ----------------------
def reset(conn: socket.socket, _: bytes) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def close(conn: socket.socket, _: bytes) -> None:
    conn.close()


def cut(conn: socket.socket, _: bytes) -> None:
    conn.sendall(answer("200 OK", SF_BODY)[:-20])
    conn.close()


def garbage(conn: socket.socket, _: bytes) -> None:
    conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")
    conn.close()


def hang(conn: socket.socket, _: bytes) -> None:
    time.sleep(3)


def plain_http(conn: socket.socket, _: bytes) -> None:
    conn.sendall(answer("400 Bad Request", b""))
    conn.close()


CLOSED = "connection closed without a complete answer"


@pytest.mark.parametrize(
    ("behaviour", "scheme", "status", "message"),
    [
        (reset, "http", Status.UNAVAILABLE, f"{CLOSED} (Connection reset by peer)"),
        (
            close,
            "http",
            Status.UNAVAILABLE,
            f"{CLOSED} (Server disconnected without sending a response.)",
        ),
        (
            cut,
            "http",
            Status.UNAVAILABLE,
            f"{CLOSED} (peer closed connection without sending complete message body)",
        ),
        (garbage, "http", Status.UNAVAILABLE, f"{CLOSED} (Bad status line:"),
        (hang, "http", Status.UNAVAILABLE, "no complete answer within 1s"),
        (plain_http, "https", Status.UNREACHABLE, "could not connect ([SSL"),
    ],
    ids=["reset", "closed", "cut-mid-body", "not-http", "hang", "tls-to-plain-http"],
)
def test_network_failures_are_classified_as_over_httpx(
    raw_server: Callable[[Behaviour], RawServer],
    behaviour: Behaviour,
    scheme: str,
    status: Status,
    message: str,
) -> None:
    server = raw_server(behaviour)
    (result,) = check(account(f"{scheme}://127.0.0.1:{server.port}"), timeout=1)
    assert result.status is status, result
    assert (result.message or "").startswith(message), result.message
    assert result.balance is None


def test_connection_refused_and_unknown_hosts_are_unreachable() -> None:
    refused, unknown = check(
        account(f"http://127.0.0.1:{free_port()}"), account("http://no-such-host.invalid")
    )
    assert refused.status is Status.UNREACHABLE
    assert refused.message == "could not connect (All connection attempts failed)"
    assert unknown.status is Status.UNREACHABLE
    assert (unknown.message or "").startswith("host name could not be resolved"), unknown


def test_aiohttp_timeouts_become_httpx_timeouts() -> None:
    connect = _as_httpx(aiohttp.ConnectionTimeoutError("connect"))
    read = _as_httpx(aiohttp.SocketTimeoutError("read"))
    assert isinstance(connect, httpx.ConnectTimeout) and isinstance(read, httpx.ReadTimeout)
    assert _transport_failure(connect, 5) == (Status.UNREACHABLE, "could not connect within 5s")
    assert _transport_failure(read, 5) == (Status.UNAVAILABLE, "no answer within 5s")


# -- what goes out and what comes back --------------------------------------------------------
def test_requests_carry_the_adapters_headers_only_and_no_cookies(
    raw_server: Callable[[Behaviour], RawServer],
) -> None:
    def ok(conn: socket.socket, _: bytes) -> None:
        conn.sendall(answer("200 OK", SF_BODY, "Set-Cookie: session=abc123; Path=/"))

    server = raw_server(ok)
    base = f"http://127.0.0.1:{server.port}"
    first, second = check(account(base), account(base, name="b"))
    assert first.status is Status.OK and second.status is Status.OK
    for request in server.requests:
        names = {line.split(b":")[0].lower() for line in request.split(b"\r\n")[1:]}
        assert names == {b"host", b"authorization"}, request  # no UA, Accept-Encoding, Cookie


def test_redirects_are_not_followed(raw_server: Callable[[Behaviour], RawServer]) -> None:
    def moved(conn: socket.socket, _: bytes) -> None:
        conn.sendall(answer("302 Found", b"", "Location: /elsewhere/v1/user/info"))

    server = raw_server(moved)
    (result,) = check(account(f"http://127.0.0.1:{server.port}"))
    assert result.status is Status.BAD_RESPONSE, result
    assert len(server.requests) == 1


def test_compressed_bodies_reach_the_reader_raw_and_in_small_chunks(
    raw_server: Callable[[Behaviour], RawServer],
) -> None:
    padded = json.dumps({**json.loads(SF_BODY), "pad": "x" * 3_000_000}).encode()
    packed = gzip.compress(padded)

    def zipped(conn: socket.socket, _: bytes) -> None:
        conn.sendall(answer("200 OK", packed, "Content-Encoding: gzip"))

    server = raw_server(zipped)

    async def raw_chunks() -> list[bytes]:
        transport = AiohttpTransport()
        try:
            response = await transport.handle_async_request(
                httpx.Request("GET", f"http://127.0.0.1:{server.port}/")
            )
            return [chunk async for chunk in response.aiter_raw()]
        finally:
            await transport.aclose()

    chunks = asyncio.run(raw_chunks())
    assert b"".join(chunks) == packed  # still compressed: topup.bodies decodes it in steps
    assert max(map(len, chunks)) <= STEP
    (result,) = check(account(f"http://127.0.0.1:{server.port}"))
    assert result.status is Status.BAD_RESPONSE  # 3 MB decoded: over the 2 MiB cap
    assert "answer larger than 2048 KiB" in (result.message or "")


def test_connections_are_kept_alive_across_checks(
    raw_server: Callable[[Behaviour], RawServer],
) -> None:
    def ok(conn: socket.socket, _: bytes) -> None:
        conn.sendall(answer("200 OK", SF_BODY))

    server = raw_server(ok)
    base = f"http://127.0.0.1:{server.port}"
    accounts = [account(base, name=f"a{i}") for i in range(40)]

    async def main() -> list[CheckResult]:
        options = RunOptions(retries=0, timeout=5, concurrency=4, per_host=4)
        async with Runner(options) as runner:
            return await runner.check_all(accounts)

    results = asyncio.run(main())
    assert all(r.status is Status.OK for r in results)
    assert len(server.requests) == 40 and server.connections <= 4


def test_fetch_gives_what_the_streamed_answer_and_the_body_reader_give(
    raw_server: Callable[[Behaviour], RawServer],
) -> None:
    packed = gzip.compress(SF_BODY)

    def zipped(conn: socket.socket, _: bytes) -> None:
        conn.sendall(answer("200 OK", packed, "Content-Encoding: gzip", "X-Trace: t1"))

    server = raw_server(zipped)
    url = f"http://127.0.0.1:{server.port}/v1/user/info"

    async def both() -> tuple[httpx.Response, httpx.Response]:
        transport = AiohttpTransport()
        try:
            fetched = await transport.fetch(httpx.Request("GET", url), 1024 * 1024)
            request = httpx.Request("GET", url)
            streamed = await transport.handle_async_request(request)
            try:
                content = await read_body(streamed, 1024 * 1024)
            finally:
                await streamed.aclose()
            return fetched, decoded_response(200, streamed.headers.raw, content, request)
        finally:
            await transport.aclose()

    fetched, reference = asyncio.run(both())
    assert fetched.content == reference.content == SF_BODY  # decoded
    assert fetched.headers.multi_items() == reference.headers.multi_items()
    assert "content-encoding" not in fetched.headers  # it described the body as sent
    assert fetched.headers["content-length"] == str(len(SF_BODY))
    assert fetched.headers["x-trace"] == "t1"
    assert server.connections == 1  # the first answer, read to its end, kept the connection


def test_an_answer_over_the_cap_is_not_read_and_its_connection_not_reused(
    raw_server: Callable[[Behaviour], RawServer],
) -> None:
    def big(conn: socket.socket, _: bytes) -> None:
        conn.sendall(answer("200 OK", b"x" * 200_000))

    server = raw_server(big)
    url = f"http://127.0.0.1:{server.port}/"

    async def twice() -> list[str]:
        transport = AiohttpTransport()
        outcomes = []
        try:
            for _ in range(2):
                try:
                    await transport.fetch(httpx.Request("GET", url), 100_000)
                except TooLarge as exc:
                    outcomes.append(exc.message)
        finally:
            await transport.aclose()
        return outcomes

    assert asyncio.run(twice()) == ["answer larger than 97 KiB; not read"] * 2
    assert server.connections == 2  # the unread rest would have poisoned the next answer


# -- where httpx's own transport stays ----------------------------------------------------------
def test_an_environment_proxy_keeps_httpx_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert Runner(RunOptions())._aiohttp is None
    assert Runner(RunOptions(trust_env=False))._aiohttp is not None
    monkeypatch.delenv("HTTPS_PROXY")
    assert Runner(RunOptions())._aiohttp is not None
    mock = httpx.MockTransport(lambda request: httpx.Response(200))
    assert Runner(RunOptions(), transport=mock)._aiohttp is None  # a caller's transport is used
