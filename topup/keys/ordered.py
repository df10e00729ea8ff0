"""Work on a stream of items concurrently, results back in the items' order, memory bounded.

:func:`in_order` takes items from an iterator (in a reader thread, so a slow stdin or a blocking
read never stalls the event loop), starts each one's work as soon as it is taken, and yields
``(item, result)`` in input order: result *i* as soon as results 0..i are done. At most
``window`` items are taken and not yet yielded (running, or done and waiting for an earlier
one), so memory does not grow with the number of items, however long the stream.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


_DONE = object()


class _End:
    """The reader's last message: the stream ended, or reading it failed (``error``)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class _Reader(Generic[T, R]):
    """The thread taking items, one window slot each, and handing them to the event loop."""

    def __init__(self, items: Iterable[T], work: Callable[[T], Awaitable[R]], window: int) -> None:
        self.loop = asyncio.get_running_loop()
        self.items = items
        self.work = work
        self.slots = threading.Semaphore(window)
        self.stopped = threading.Event()
        self.started: asyncio.Queue[tuple[T, asyncio.Future[R]] | _End] = asyncio.Queue()
        self.thread = threading.Thread(target=self._run, name="topup-keys-reader", daemon=True)

    def _start(self, item: T) -> None:  # on the event loop
        if self.stopped.is_set():  # handed over just before the consumer stopped
            return
        self.started.put_nowait((item, asyncio.ensure_future(self.work(item))))

    def _hand(self, message: Callable[..., None], *args: object) -> None:
        try:
            self.loop.call_soon_threadsafe(message, *args)
        except RuntimeError:  # the loop is gone: nobody waits for the rest
            self.stopped.set()

    def _run(self) -> None:
        items = iter(self.items)
        try:
            while True:
                self.slots.acquire()  # a slot first: nothing is read beyond the window
                if self.stopped.is_set():
                    return
                item = next(items, _DONE)
                if item is _DONE:
                    break
                self._hand(self._start, item)
        except BaseException as exc:  # reading failed: the consumer raises it
            self._hand(self.started.put_nowait, _End(exc))
            return
        self._hand(self.started.put_nowait, _End())

    def stop(self) -> None:
        self.stopped.set()
        self.slots.release()  # wake the thread if it waits for a slot
        while not self.started.empty():
            message = self.started.get_nowait()
            if not isinstance(message, _End):
                message[1].cancel()


async def in_order(
    items: Iterable[T], work: Callable[[T], Awaitable[R]], *, window: int
) -> AsyncGenerator[tuple[T, R], None]:
    """``(item, await work(item))`` for every item, in order, at most ``window`` at a time."""
    if window < 1:
        raise ValueError("window must be at least 1")
    reader: _Reader[T, R] = _Reader(items, work, window)
    reader.thread.start()
    try:
        while True:
            message = await reader.started.get()
            if isinstance(message, _End):
                if message.error is not None:
                    raise message.error
                return
            item, future = message
            result = await future
            reader.slots.release()
            yield item, result
    finally:
        reader.stop()
