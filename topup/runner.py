"""The one place that does I/O for every adapter.

:class:`Runner` drives an adapter's sans-I/O flow (see :mod:`topup.platforms.base`): its
:class:`httpx.Request` goes out through one shared aiohttp-backed httpx transport
(:mod:`topup.transport`, a fraction of httpcore's CPU per request) and comes back as an
:class:`httpx.Response`. httpx's own client and transport stay for an account with its own
``proxy`` (socks5 included), when the environment names a proxy (``HTTP(S)_PROXY``,
``ALL_PROXY``: ``NO_PROXY`` then applies exactly as httpx defines it), and for a ``client`` or
``transport`` given by the caller (tests' mock transports). Whichever carries the requests:

* bounded concurrency overall (``concurrency``) and per host (``per_host``); an account waits for
  its host's slot before its deadline starts, so queueing never counts as slowness;
* a deadline per account (``timeout``) covering every request, retry and body of its check, so a
  slow or endless answer never holds up the others;
* retries on 429/502/503/504 honouring ``Retry-After`` (never longer than the deadline allows),
  none on auth errors or 410;
* single-flight caching of requests marked ``topup.cache`` (new-api's public ``/api/status``);
* bodies read under ``max_body`` counting both the bytes received and the bytes they decode to,
  decompressed in small steps (:mod:`topup.bodies`), so a compression bomb costs neither memory
  nor the event loop;
* classification of every failure into a :class:`~topup.model.Status` with a readable message,
  sanitised (:func:`topup.sanitize.message`: no control characters, bounded, the account's
  credentials masked). Nothing raised by one account escapes to the others.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import getproxies

import httpx

from topup import attention, sanitize
from topup.account import Account
from topup.bodies import decoded_response, read_body
from topup.collector import fewer_collections
from topup.errors import CheckError, ConfigError
from topup.model import Balance, CheckResult, Status, utcnow
from topup.platforms import Provider, get_provider
from topup.platforms.base import CACHE_EXTENSION
from topup.platforms.responses import retry_after
from topup.run_options import RunOptions as RunOptions  # re-exported: its home before

if TYPE_CHECKING:
    from topup.transport import AiohttpTransport

log = logging.getLogger("topup.runner")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Connections per pooled httpx client (see Runner._pool).
POOL_SIZE = 16
#: Proxy variables that send requests through httpx's transport (see environment_proxied).
PROXY_SCHEMES = frozenset({"http", "https", "all"})


OnResult = Callable[[CheckResult], Awaitable[None] | None]
#: Sends one request, returning its answer read under the body cap and decoded
#: (:func:`topup.bodies.decoded_response`).
Send = Callable[[httpx.Request], Awaitable[httpx.Response]]


def _streamed(client: httpx.AsyncClient, max_body: int) -> Send:
    async def send(request: httpx.Request) -> httpx.Response:
        response = await client.send(request, stream=True)
        try:
            content = await read_body(response, max_body)
        finally:
            await response.aclose()
        return decoded_response(response.status_code, response.headers.raw, content, request)

    return send


class Runner:
    """Checks accounts: ``async with Runner(options) as r: await r.check_all(accounts)``."""

    def __init__(
        self,
        options: RunOptions | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.options = options or RunOptions()
        self._own_client = client is None
        self._transport = transport
        #: The shared aiohttp transport, when the runner sends through it (see module docs).
        self._aiohttp: AiohttpTransport | None = None
        self._aiohttp_send: Send | None = None
        self._clients: list[httpx.AsyncClient] = []
        if client is not None:
            self._clients = [client]
        elif transport is not None or (self.options.trust_env and environment_proxied()):
            self._clients = self._pool()
        else:
            from topup.transport import AiohttpTransport  # aiohttp only where checks are made

            self._aiohttp = AiohttpTransport(limit=self.options.concurrency)
            self._aiohttp_send = partial(self._aiohttp.fetch, max_body=self.options.max_body)
        #: Clients of the accounts that set their own ``proxy``, by proxy URL (made on use).
        self._proxied: dict[str, httpx.AsyncClient] = {}
        self._next_client = 0
        self._overall = asyncio.Semaphore(self.options.concurrency)
        #: Bounds per host, when tighter than the overall one (else they could never bind).
        self._per_host = self.options.per_host < self.options.concurrency
        self._hosts: dict[str, asyncio.Semaphore] = {}
        #: Host of each base URL seen (see _host_key).
        self._host_keys: dict[str, str] = {}
        self._cache: dict[str, tuple[float, asyncio.Future[httpx.Response]]] = {}

    async def __aenter__(self) -> Runner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _pool(self) -> list[httpx.AsyncClient]:
        """Several small connection pools instead of one large one: httpcore's pool scans every
        connection for every queued request, so its cost grows with the square of its size
        (measured in benchmarks/README.md: 3x the throughput at concurrency 100)."""
        size = min(POOL_SIZE, self.options.concurrency)
        return [self._client(size, None) for _ in range(-(-self.options.concurrency // size))]

    def _client(self, size: int, proxy: str | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(self.options.timeout),
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            follow_redirects=False,
            proxy=proxy,
            trust_env=self.options.trust_env and proxy is None,
        )

    def _sender_for(self, account: Account) -> Send:
        """How this account's requests are sent: the aiohttp transport itself (an httpx client
        around it would add only cookie and redirect handling the runner does not use), or an
        httpx client (an account's own proxy, the environment's, a caller's client)."""
        if account.proxy is not None and self._own_client:
            url = account.proxy.reveal()
            if url not in self._proxied:
                size = min(POOL_SIZE, self.options.concurrency)
                self._proxied[url] = self._client(size, url)
            return _streamed(self._proxied[url], self.options.max_body)
        if self._aiohttp_send is not None:
            return self._aiohttp_send
        client = self._clients[self._next_client % len(self._clients)]
        self._next_client += 1
        return _streamed(client, self.options.max_body)

    async def aclose(self) -> None:
        if self._aiohttp is not None:
            await self._aiohttp.aclose()
        if self._own_client:
            clients = [*self._clients, *self._proxied.values()]
            await asyncio.gather(*(c.aclose() for c in clients))

    # -- public API ---------------------------------------------------------------------
    async def check_all(
        self, accounts: Iterable[Account], on_result: OnResult | None = None
    ) -> list[CheckResult]:
        """Check every account concurrently; results come back in the accounts' order."""
        if on_result is None:
            return list(await asyncio.gather(*(self.check(a) for a in accounts)))

        async def one(account: Account) -> CheckResult:
            result = await self.check(account)
            outcome = on_result(result)
            if outcome is not None:
                await outcome
            return result

        return list(await asyncio.gather(*(one(a) for a in accounts)))

    async def check(self, account: Account) -> CheckResult:
        """Check one account. Never raises for anything the platform or network does."""
        provider_cls = get_provider(account.provider)
        if provider_cls is None:
            return CheckResult.failure(
                account.name, account.provider, Status.CONFIG_ERROR, "unknown provider"
            )
        provider = provider_cls()
        if self._per_host:
            async with self._host(self._host_key(provider, account)), self._overall:
                result = await self._check(provider, account, time.monotonic())
        else:
            async with self._overall:
                result = await self._check(provider, account, time.monotonic())
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "checked %s: %s%s",
                account.name,
                result.status.value,
                f" ({result.message})" if result.message else "",
            )
        return result

    # -- internals ------------------------------------------------------------------------
    async def _check(self, provider: Provider, account: Account, started: float) -> CheckResult:
        timeout = account.timeout or self.options.timeout
        deadline = started + timeout

        def failed(status: Status, message: str) -> CheckResult:
            found = attention.assess(account, status, None)
            return CheckResult(
                account.name,
                provider.name,
                status,
                message=sanitize.message(message, account.secrets),
                checked_at=utcnow(),
                duration=time.monotonic() - started,
                low=found.low,
                attention=tuple(found.names()),
            )

        try:
            send = self._sender_for(account)
        except (ValueError, ImportError) as exc:  # a proxy scheme httpx cannot use
            return failed(Status.CONFIG_ERROR, f"proxy not usable: {type(exc).__name__}")
        try:
            async with asyncio.timeout(timeout):
                balance = await self._drive(provider, account, deadline, send)
        except CheckError as exc:
            return failed(exc.status, exc.message)
        except TimeoutError:
            return failed(Status.UNAVAILABLE, f"no complete answer within {timeout:g}s")
        except httpx.TransportError as exc:
            status, message = _transport_failure(exc, timeout)
            return failed(status, message)
        except ConfigError as exc:
            return failed(Status.CONFIG_ERROR, exc.message)
        except Exception as exc:
            log.debug("unexpected error checking %s", account.name, exc_info=False)
            return failed(Status.BAD_RESPONSE, f"unexpected answer ({type(exc).__name__}: {exc})")
        return _result(account, provider.name, balance, time.monotonic() - started)

    async def _drive(
        self, provider: Provider, account: Account, deadline: float, send: Send
    ) -> Balance:
        flow = provider.check(account)
        request = next(flow)
        while True:
            response = await self._send(request, deadline, send)
            try:
                request = flow.send(response)
            except StopIteration as stop:
                if not isinstance(stop.value, Balance):
                    raise TypeError(f"{provider.name} adapter returned no Balance") from None
                return stop.value

    async def _send(self, request: httpx.Request, deadline: float, send: Send) -> httpx.Response:
        if request.extensions.get(CACHE_EXTENSION):
            return await self._cached(request, deadline, send)
        return await self._send_with_retries(request, deadline, send)

    async def _cached(self, request: httpx.Request, deadline: float, send: Send) -> httpx.Response:
        key = f"{request.method} {request.url}"
        now = time.monotonic()
        entry = self._cache.get(key)
        if entry is None or now - entry[0] > self.options.cache_ttl:
            future: asyncio.Future[httpx.Response] = asyncio.get_running_loop().create_future()
            self._cache[key] = (now, future)
            try:
                response = await self._send_with_retries(request, deadline, send)
                future.set_result(response)
                if not response.is_success:
                    # Those waiting now share this answer; the next check asks again rather
                    # than reusing an outage (or a 429) for the cache's whole lifetime.
                    self._cache.pop(key, None)
            except asyncio.CancelledError:
                # The owner ran out of time (or was cancelled): that is its own deadline, not
                # the answer. Waiters see a cancelled future and fetch again themselves.
                self._cache.pop(key, None)
                future.cancel()
                raise
            except BaseException as exc:
                self._cache.pop(key, None)
                future.set_exception(exc)
                future.exception()  # mark retrieved: waiters re-raise it themselves
                raise
            return future.result()
        shared = entry[1]
        try:
            return await asyncio.shield(shared)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if shared.cancelled() and task is not None and not task.cancelling():
                return await self._cached(request, deadline, send)
            raise

    async def _send_with_retries(
        self, request: httpx.Request, deadline: float, send: Send
    ) -> httpx.Response:
        attempt = 0
        while True:
            response = await self._fetch(request, deadline, send)
            if response.status_code not in RETRY_STATUSES or attempt >= self.options.retries:
                return response
            wait = retry_after(response)
            if wait is None:
                wait = min(8.0, 0.25 * 2**attempt) * (0.5 + random.random())  # noqa: S311
            remaining = deadline - time.monotonic()
            if wait > self.options.max_retry_wait or wait >= remaining - 0.1:
                return response
            await asyncio.sleep(wait)
            attempt += 1

    async def _fetch(self, request: httpx.Request, deadline: float, send: Send) -> httpx.Response:
        # Each request may take what is left of its account's deadline, not the client default.
        remaining = max(0.05, deadline - time.monotonic())
        request.extensions["timeout"] = {
            "connect": remaining,
            "read": remaining,
            "write": remaining,
            "pool": remaining,
        }
        return await send(request)

    def _host_key(self, provider: Provider, account: Account) -> str:
        try:
            base = provider.base_url(account)
        except AssertionError:
            return ""
        key = self._host_keys.get(base)
        if key is None:
            key = self._host_keys[base] = _host_of(base)
        return key

    def _host(self, host: str) -> asyncio.Semaphore:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self.options.per_host)
        return semaphore


def environment_proxied() -> bool:
    """Whether the environment names a proxy (as httpx reads it: ``urllib``'s getproxies)."""
    return any(scheme in PROXY_SCHEMES for scheme in getproxies())


def _host_of(base_url: str) -> str:
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def _result(account: Account, provider: str, balance: Balance, duration: float) -> CheckResult:
    """:meth:`CheckResult.from_balance` with its message sanitised and its ``low`` and
    ``attention`` set as :func:`topup.attention.marked` would set them, built once."""
    found = attention.assess(account, balance.status, balance if balance.has_value else None)
    message = balance.message
    return CheckResult.from_balance(
        account.name,
        provider,
        balance,
        duration=duration,
        message=sanitize.message(message, account.secrets) if message else None,
        low=found.low,
        attention=tuple(found.names()),
    )


def _transport_failure(exc: httpx.TransportError, timeout: float) -> tuple[Status, str]:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return Status.UNREACHABLE, f"could not connect within {timeout:g}s"
    if isinstance(exc, httpx.TimeoutException):
        return Status.UNAVAILABLE, f"no answer within {timeout:g}s"
    if isinstance(exc, httpx.ConnectError):
        lowered = detail.lower()
        if "name or service" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
            return Status.UNREACHABLE, f"host name could not be resolved ({detail})"
        return Status.UNREACHABLE, f"could not connect ({detail})"
    if isinstance(exc, httpx.LocalProtocolError):
        # Our own request was malformed (e.g. a header value httpx refuses); its text quotes
        # the header, so it is not repeated here.
        return Status.CONFIG_ERROR, "the request could not be sent: check the account's settings"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Status.CONFIG_ERROR, f"base_url is not an http(s) URL ({detail})"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return Status.UNAVAILABLE, f"connection closed without a complete answer ({detail})"
    return Status.UNAVAILABLE, f"network error ({detail})"


def run(accounts: Iterable[Account], options: RunOptions | None = None) -> list[CheckResult]:
    """Synchronous convenience: check accounts and return their results."""

    async def main() -> list[CheckResult]:
        async with Runner(options) as runner:
            return await runner.check_all(accounts)

    with fewer_collections():
        return asyncio.run(main())
