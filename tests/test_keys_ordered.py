"""Concurrent work on a stream comes back in input order, with a bounded window."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from contextlib import aclosing

import pytest

from topup.keys.ordered import in_order


def test_results_come_back_in_input_order_whatever_finishes_first() -> None:
    delays = [random.random() / 100 for _ in range(300)]

    async def work(i: int) -> int:
        await asyncio.sleep(delays[i])
        return i * 2

    async def main() -> list[tuple[int, int]]:
        return [pair async for pair in in_order(iter(range(300)), work, window=16)]

    assert asyncio.run(main()) == [(i, i * 2) for i in range(300)]


def test_never_more_than_the_window_is_taken_ahead_of_what_was_yielded() -> None:
    taken = 0
    ahead: list[int] = []
    running = 0
    most_running = 0
    lock = threading.Lock()

    def items() -> Iterator[int]:
        nonlocal taken
        for i in range(500):
            with lock:
                taken += 1
            yield i

    async def work(i: int) -> int:
        nonlocal running, most_running
        running += 1
        most_running = max(most_running, running)
        await asyncio.sleep(0.05 if i % 50 == 0 else 0)  # a slow line holds the others back
        running -= 1
        return i

    async def main() -> None:
        yielded = 0
        async for _ in in_order(items(), work, window=8):
            yielded += 1
            await asyncio.sleep(0)
            with lock:
                ahead.append(taken - yielded)

    asyncio.run(main())
    assert max(ahead) <= 8
    assert most_running <= 8
    assert len(ahead) == 500


def test_a_slow_reader_does_not_hold_back_finished_results() -> None:
    more = threading.Event()

    def items() -> Iterator[int]:
        yield 1
        more.wait(5)  # stdin with nothing more to read yet
        yield 2

    async def work(i: int) -> int:
        return i

    async def main() -> list[int]:
        seen = []
        async for item, _ in in_order(items(), work, window=4):
            seen.append(item)
            if item == 1:
                assert not more.is_set()  # row 1 came out while the reader still waited
                more.set()
        return seen

    started = time.monotonic()
    assert asyncio.run(main()) == [1, 2]
    assert time.monotonic() - started < 4


def test_a_failure_to_read_is_raised_after_the_rows_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise OSError("disk gone")

    async def work(i: int) -> int:
        return i

    async def main() -> list[int]:
        seen = []
        with pytest.raises(OSError, match="disk gone"):
            async for item, _ in in_order(items(), work, window=4):
                seen.append(item)
        return seen

    assert asyncio.run(main()) == [1]


def test_stopping_early_cancels_the_work_started_ahead() -> None:
    cancelled = 0
    ahead = asyncio.Event()  # made in main's loop below

    async def work(i: int) -> int:
        nonlocal cancelled
        try:
            if i == 0:  # the first row is done only once work ahead of it has started
                await asyncio.wait_for(ahead.wait(), 5)
            else:
                ahead.set()
                await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled += 1
            raise
        return i

    async def main() -> None:
        async with aclosing(in_order(iter(range(100)), work, window=4)) as results:
            async for _ in results:
                break
        await asyncio.sleep(0.05)

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 5
    assert 1 <= cancelled <= 4
