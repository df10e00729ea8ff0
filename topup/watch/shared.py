"""Several workers, one PostgreSQL: the watcher's schedule when ``[watch] lease`` is set.

Instead of one timer per account, a worker asks the database which of its accounts are due
(:meth:`~topup.storage.leases.LeasedStore.claim`, ``FOR UPDATE SKIP LOCKED``), checks those it
got, and stores each result together with the account's next due time. While a check runs
(or waits for the writer) its lease is renewed every third of a lease period; a worker that
dies stops renewing, and another takes its accounts over when their leases run out. Between
claims the worker sleeps until the first of its accounts can be claimed (a due time, or the
end of another worker's lease), or until a check of its own is stored and frees a slot.

A worker holds at most ``capacity`` leases (``[check] concurrency``), so the work spreads over
the workers. Each account is due again ``interval`` to ``interval × (1 + jitter)`` after its
result is stored: never sooner than its interval, whoever checks it next.

Accounts are named the same in every worker's config; a worker claims only the accounts of
its own config and leaves the others to the workers that have them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from topup.account import Account
from topup.secrets import scrub
from topup.storage import DeferredStore, Store
from topup.storage.alerts import AlertTransaction
from topup.storage.leases import LeasedStore

if TYPE_CHECKING:
    from topup.model import CheckResult
    from topup.runner import Runner

Check = Callable[[Account, "Runner"], Awaitable["CheckResult"]]

log = logging.getLogger("topup.watch")
T = TypeVar("T")

#: The shortest pause between two claims (claims that found rows locked by another worker).
MIN_WAIT = 0.05


def worker_name() -> str:
    """This worker's name in the lease table: host, process, and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class SharedHistory:
    """The worker's :class:`LeasedStore`, opened on first use from ``open`` (a plain store)."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        *,
        lease: float,
        due_in: Callable[[str], float],
        holder: str | None = None,
    ) -> None:
        self._open_store = open_store
        self.lease = lease
        self.due_in = due_in
        self.holder = holder or worker_name()
        self._store: LeasedStore | None = None
        self._lock = threading.Lock()

    def get(self) -> LeasedStore:
        """Raises :class:`~topup.storage.StorageUnavailable` while the database is down."""
        with self._lock:
            if self._store is None:
                self._store = LeasedStore.over(
                    self._open_store(), holder=self.holder, lease=self.lease, due_in=self.due_in
                )
            return self._store


class SharedDeferredStore(DeferredStore):
    """The alert manager's store in a shared watcher: also :meth:`alert_transaction`."""

    @contextlib.contextmanager
    def alert_transaction(self, account: str) -> Iterator[AlertTransaction]:
        with self._store().alert_transaction(account) as tx:
            yield tx


class SharedSchedule:
    """Claims due accounts for a watcher and keeps their leases until their results are stored."""

    def __init__(
        self,
        history: SharedHistory,
        *,
        capacity: int,
        start_spread: float = 5.0,
        interval_of: Callable[[Account], float],
    ) -> None:
        self.history = history
        self.capacity = max(1, capacity)
        self.start_spread = start_spread
        self.interval_of = interval_of
        #: Accounts this worker leased whose results are not stored yet.
        self.held: set[str] = set()
        self._wake: asyncio.Event | None = None

    @property
    def lease(self) -> float:
        return self.history.lease

    @property
    def ceiling(self) -> float:
        """The longest sleep between two claims."""
        return max(0.2, min(self.lease / 2, 30.0))

    def stored(self, names: Iterable[str]) -> None:
        """The watcher wrote (or gave up writing) these results: their leases are no longer
        renewed, and the slots they held are free (called in the event loop)."""
        before = len(self.held)
        self.held.difference_update(names)
        if len(self.held) < before and self._wake is not None:
            self._wake.set()

    async def run(
        self,
        accounts: Sequence[Account],
        check: Check,
        runner: Runner,
        stop: asyncio.Event,
    ) -> None:
        """Claim and check until ``stop``; then wait for the checks in flight."""
        by_name = {a.name: a for a in accounts}
        names = list(by_name)
        wake = self._wake = asyncio.Event()
        renewing = asyncio.create_task(self._renew_loop(stop), name="topup-lease-renewal")
        checks: set[asyncio.Future[CheckResult]] = set()
        scheduled = False
        log.info(
            "sharing %d accounts with other workers as %s (lease %gs)",
            len(names),
            self.history.holder,
            self.lease,
        )
        try:
            while not stop.is_set():
                wake.clear()
                wait = self.ceiling
                try:
                    if not scheduled:
                        first = {
                            a.name: random.uniform(0, min(self.start_spread, self.interval_of(a)))  # noqa: S311
                            for a in accounts
                        }
                        await self._db(partial(LeasedStore.schedule, first_due=first))
                        scheduled = True
                    room = self.capacity - len(self.held)
                    claimed = await self._db(partial(LeasedStore.claim, names=names, limit=room))
                    for name in claimed:
                        self.held.add(name)
                        task = asyncio.ensure_future(check(by_name[name], runner))
                        checks.add(task)
                        task.add_done_callback(checks.discard)
                        task.add_done_callback(partial(self._ended, by_name[name]))
                    if room - len(claimed) > 0:
                        until = await self._db(partial(LeasedStore.next_claimable, names=names))
                        if until is not None:
                            wait = until
                except Exception as exc:
                    log.warning("shared schedule: %s; trying again in %gs", exc, self.ceiling)
                wait = min(max(wait, MIN_WAIT), self.ceiling)
                await _first_of(stop, wake, wait)
            await asyncio.gather(*checks, return_exceptions=True)
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
            self._wake = None

    def _ended(self, account: Account, task: asyncio.Future[CheckResult]) -> None:
        """A check that raised (or was cancelled) stores no result: stop renewing its lease
        and free its slot, so its account is checked again when the lease runs out."""
        if task.cancelled():
            why = "was cancelled"
        elif (exc := task.exception()) is not None:
            why = "failed: " + scrub(f"{type(exc).__name__}: {exc}", account.secrets)
        else:
            return  # its result is on its way to the writer, which calls stored()
        log.warning(
            "shared schedule: the check of %s %s; its lease is no longer renewed, the account "
            "is checked again when it runs out",
            account.name,
            why,
        )
        self.stored([account.name])

    async def _db(self, call: Callable[[LeasedStore], T]) -> T:
        """``call(store)`` in a worker thread, the leased store opened first if need be."""
        return await asyncio.to_thread(lambda: call(self.history.get()))

    async def _renew_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.lease / 3)
            held = sorted(self.held)
            if not held:
                continue
            try:
                await self._db(partial(LeasedStore.renew, names=held))
            except Exception as exc:
                log.warning("shared schedule: could not renew %d leases (%s)", len(held), exc)


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    """Wait ``timeout`` seconds, or until ``stop`` or ``wake`` is set."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def due_again(
    interval_of: Callable[[Account], float], accounts: Sequence[Account], jitter: float
) -> Callable[[str], float]:
    """Seconds until an account is due again after a check: its interval plus up to
    ``jitter`` of it (never less: two checks of an account are at least an interval apart)."""
    by_name = {a.name: a for a in accounts}

    def due_in(name: str) -> float:
        account = by_name.get(name)
        if account is None:  # a manual check of an account this worker does not schedule
            return 0.0
        interval = interval_of(account)
        return interval + random.uniform(0, interval * jitter)  # noqa: S311

    return due_in


__all__ = [
    "SharedDeferredStore",
    "SharedHistory",
    "SharedSchedule",
    "due_again",
    "worker_name",
]
