"""An :class:`httpx.AsyncBaseTransport` over one shared :class:`aiohttp.ClientSession`.

The adapters speak :class:`httpx.Request`/:class:`httpx.Response` (sans-I/O); this transport
carries those over aiohttp's HTTP/1.1 client, which costs about a tenth of httpcore's CPU per
request (benchmarks/README.md, "Fan-out"). It changes nothing the runner relies on:

* the request goes out with exactly the headers the adapter set (aiohttp adds none of its own:
  no ``User-Agent``, ``Accept``, ``Accept-Encoding`` or ``Content-Type``), and no redirect is
  followed;
* the answer's body reaches :func:`topup.bodies.read_body` as the raw bytes received, still
  compressed and in network-sized chunks (``auto_decompress=False``), so the body cap and the
  incremental decompression stay where they are;
* no cookies are kept (one session serves every account);
* every aiohttp failure is raised as the :class:`httpx.TransportError` httpcore raises for the
  same event, with the same text where httpcore's is generic (``All connection attempts
  failed``, ``Server disconnected without sending a response.``), so
  :func:`topup.runner._transport_failure` classifies both alike;
* the request's ``timeout`` extension bounds the connection as with httpx; reads are bounded by
  the caller (the runner's deadline per account covers the whole check), which spares a timer
  reset on every network read.

Proxies are not handled here: the runner keeps httpx's own transport for an account with a
``proxy`` and for environments that name one (``HTTP(S)_PROXY``/``ALL_PROXY``), so socks5 and
``NO_PROXY`` behave exactly as httpx defines them.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx
from yarl import URL

from topup.bodies import decoded_response, read_raw

#: Headers aiohttp would add on its own; the adapters' requests go out without them, as before.
SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
#: Most bytes handed on per chunk (aiohttp's read buffer is 64 KiB).
CHUNK = 64 * 1024


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx requests over one pooled aiohttp session, made on first use (in the running loop).

    ``limit`` bounds the connections open at once (the runner's own bounds are tighter, so this
    is a safety net); ``verify`` is the TLS context, httpx's by default (same CA bundle).
    """

    def __init__(self, *, limit: int = 100, verify: ssl.SSLContext | None = None) -> None:
        self._limit = limit
        self._ssl = verify if verify is not None else httpx.create_ssl_context()
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=0, ssl=self._ssl)
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                trust_env=False,
                skip_auto_headers=SKIP_AUTO_HEADERS,
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self._send(request)
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            stream=_Body(answer),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (answer.reason or "").encode("latin-1", "replace"),
            },
        )

    async def fetch(self, request: httpx.Request, max_body: int) -> httpx.Response:
        """The answer to ``request`` read in full under ``max_body`` (:func:`read_raw`) and
        decoded, as :func:`topup.bodies.decoded_response` gives it to adapters: what the runner
        would get from :meth:`handle_async_request` and :func:`topup.bodies.read_body`, without
        the streamed :class:`httpx.Response` in between."""
        answer = await self._send(request)
        try:
            encoding = ", ".join(answer.headers.getall("Content-Encoding", ()))
            content = await read_raw(_raw(answer), encoding, max_body)
        finally:
            _finish(answer)
        return decoded_response(answer.status, answer.raw_headers, content, request)

    async def _send(self, request: httpx.Request) -> aiohttp.ClientResponse:
        timeout = request.extensions.get("timeout", {})
        try:
            body = request.content  # read when the request was built (not a streamed body)
        except httpx.RequestNotRead:
            body = await request.aread()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        with _mapped():
            return await self._open().request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                compress=None,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeout.get("connect")),
            )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _Body(httpx.AsyncByteStream):
    """The raw (still encoded) body of one aiohttp answer."""

    def __init__(self, answer: aiohttp.ClientResponse) -> None:
        self._answer = answer

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _raw(self._answer)

    async def aclose(self) -> None:
        _finish(self._answer)


async def _raw(answer: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    """The raw (still encoded) body of ``answer``, at most :data:`CHUNK` bytes at a time."""
    with _mapped():
        while chunk := await answer.content.read(CHUNK):
            yield chunk


def _finish(answer: aiohttp.ClientResponse) -> None:
    """A body read to its end gives the connection back to the pool; anything else (a deadline,
    the body cap) closes it, since its unread rest would poison the next answer."""
    if answer.content.at_eof():
        answer.release()
    else:
        answer.close()


@contextmanager
def _mapped() -> Iterator[None]:
    """aiohttp's exceptions as the httpx ones httpcore raises for the same failure."""
    try:
        yield
    except aiohttp.ClientError as exc:
        raise _as_httpx(exc) from exc
    except ValueError as exc:  # a header value aiohttp refuses to send
        raise httpx.LocalProtocolError(str(exc)) from exc


def _as_httpx(exc: aiohttp.ClientError) -> httpx.TransportError:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(exc) or "connect timeout")
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(str(exc) or "read timeout")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(_connect_detail(exc))
    if isinstance(exc, aiohttp.ClientSSLError):  # TLS failing after the connection was made
        return httpx.ConnectError(str(exc))
    if isinstance(exc, aiohttp.NonHttpUrlClientError | aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(str(exc))
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError("Server disconnected without sending a response.")
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError(_payload_detail(exc))
    if isinstance(exc, aiohttp.ClientOSError):
        return httpx.ReadError(_os_detail(exc))
    return httpx.NetworkError(str(exc) or type(exc).__name__)


def _connect_detail(exc: aiohttp.ClientConnectorError) -> str:
    """httpcore's words: the resolver's or the TLS library's text, else a generic failure."""
    cause: Any = exc.os_error
    if isinstance(cause, socket.gaierror | ssl.SSLError | ssl.CertificateError):
        return str(cause)
    return "All connection attempts failed"


def _payload_detail(exc: aiohttp.ClientError) -> str:
    """A malformed answer's complaint on one line (aiohttp's spans several, with a caret)."""
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "peer closed connection without sending complete message body"
    text = exc.message if isinstance(exc, aiohttp.ClientResponseError) else str(exc)
    words = [part.strip() for part in str(text).splitlines() if part.strip() not in ("", "^")]
    return " ".join(words) or type(exc).__name__


def _os_detail(exc: aiohttp.ClientOSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__
