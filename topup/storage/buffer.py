"""Keep results in memory while the history database is unreachable, and write them later.

The watcher records each round through a :class:`PendingWrites`::

    pending = PendingWrites(lambda: Store.open(url))   # or PendingWrites(store)
    ...
    if not pending.record(batch):                       # False: kept for later
        log.warning("history database down; %d results waiting", pending.pending)

Batches are written in the order they arrived, each in its own transaction. Past
``max_results`` waiting results, the oldest are dropped, counted in :attr:`dropped`, and
logged.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime

from topup.model import CheckResult
from topup.storage.errors import StorageUnavailable
from topup.storage.records import AccountState, AlertKind
from topup.storage.store import Store

log = logging.getLogger(__name__)

Item = tuple[CheckResult, str | None]

DEFAULT_MAX_RESULTS = 100_000


class PendingWrites:
    """An ordered, bounded, thread-safe queue of result batches in front of a :class:`Store`.

    ``store`` is a store or a function that opens one (called again on each flush until it
    succeeds, so the watcher can start while the database is down).
    """

    def __init__(
        self,
        store: Store | Callable[[], Store],
        *,
        max_results: int = DEFAULT_MAX_RESULTS,
    ) -> None:
        if max_results < 1:
            raise ValueError("max_results must be at least 1")
        self._store: Store | None = store if isinstance(store, Store) else None
        self._opener: Callable[[], Store] | None = None if isinstance(store, Store) else store
        self.max_results = max_results
        self._queue: deque[list[Item]] = deque()
        self._pending = 0
        self._lock = threading.Lock()
        #: Results dropped (oldest first) because more than ``max_results`` were waiting.
        self.dropped = 0
        #: The error of the last failed flush, cleared by a complete flush.
        self.last_error: StorageUnavailable | None = None

    @property
    def pending(self) -> int:
        """Results waiting to be written."""
        return self._pending

    @property
    def store(self) -> Store | None:
        """The store, once it could be opened."""
        return self._store

    def add(self, results: Sequence[Item]) -> None:
        """Queue a batch without writing it."""
        if not results:
            return
        with self._lock:
            self._queue.append(list(results))
            self._pending += len(results)
            self._trim()

    def record(self, results: Sequence[Item]) -> bool:
        """Queue a batch and write everything waiting. True when nothing is left waiting."""
        self.add(results)
        return self.flush()

    def flush(self) -> bool:
        """Write the waiting batches in order; stop at the first :class:`StorageUnavailable`.

        Returns True when the queue is empty. Any other storage error propagates; the
        offending batch is then dropped (and counted), so one bad batch cannot block the rest.
        """
        with self._lock:
            while self._queue:
                batch = self._queue[0]
                try:
                    store = self._open()
                    store.record(batch)
                except StorageUnavailable as exc:
                    self.last_error = exc
                    return False
                except Exception:
                    self._queue.popleft()
                    self._pending -= len(batch)
                    self.dropped += len(batch)
                    log.exception("history: dropped a batch of %d results it refused", len(batch))
                    raise
                self._queue.popleft()
                self._pending -= len(batch)
            self.last_error = None
            return True

    def _open(self) -> Store:
        if self._store is None:
            assert self._opener is not None
            self._store = self._opener()
        return self._store

    def _trim(self) -> None:
        over = self._pending - self.max_results
        if over <= 0:
            return
        dropped = 0
        while over > 0:
            head = self._queue[0]
            if len(head) <= over:
                self._queue.popleft()
                n = len(head)
            else:
                del head[:over]
                n = over
            over -= n
            dropped += n
        self._pending -= dropped
        self.dropped += dropped
        log.warning(
            "history: database unavailable and %d results waiting; dropped the %d oldest "
            "(%d dropped in total)",
            self.max_results,
            dropped,
            self.dropped,
        )


class DeferredStore:
    """The store behind a :class:`PendingWrites` as soon as it could be opened.

    For code that keeps state in the store (alerts) in a watcher that started while the
    database was down: until the database is reachable every call raises
    :class:`StorageUnavailable`, which such code treats as a passing outage; afterwards the
    calls go to the real store.
    """

    def __init__(self, pending: PendingWrites) -> None:
        self._pending = pending

    def _store(self) -> Store:
        store = self._pending.store
        if store is None:
            raise StorageUnavailable("history database not reachable yet")
        return store

    def get_alert_state(self, account: str, rule: str) -> str | None:
        return self._store().get_alert_state(account, rule)

    def set_alert_state(self, account: str, rule: str, state: str | None) -> None:
        self._store().set_alert_state(account, rule, state)

    def record_alert(
        self,
        account: str,
        rule: str,
        kind: AlertKind,
        message: str | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        self._store().record_alert(account, rule, kind, message, at=at)

    def latest(self, names: Sequence[str] | None = None) -> list[AccountState]:
        return self._store().latest(names)
