"""Checking a stream of key lines: one shared :class:`~topup.runner.Runner`, rows in order.

Each line becomes an account (:func:`topup.keys.accounts.prepare`) checked by the same runner
as ``topup check`` (limits, retries, deadlines from :class:`~topup.runner.RunOptions`). The
lines are read and prepared in a reader thread; at most :data:`WINDOW_FACTOR` x ``concurrency``
lines are in memory at once (:func:`topup.keys.ordered.in_order`), whatever the file's size.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncGenerator, Iterable
from contextlib import aclosing

from topup.account import Account
from topup.keys.accounts import Defaults, prepare
from topup.keys.detect import rules
from topup.keys.ordered import in_order
from topup.keys.reading import KeyLine
from topup.keys.rows import KeyRow
from topup.model import CheckResult
from topup.runner import Runner, RunOptions
from topup.secrets import Secret

#: Lines taken ahead of the oldest unfinished one, per concurrent check: the runner checks
#: ``concurrency`` at once; finished results wait (bounded) for a slower earlier line.
WINDOW_FACTOR = 4

Job = tuple[KeyLine, Account | CheckResult]


class InFlight:
    """The keys taken from the file and not yet written out (at most the window's worth), for
    a log filter that masks them (:class:`topup.cli.common.RedactingFilter`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[int, Secret] = {}

    def add(self, line: KeyLine) -> KeyLine:
        with self._lock:
            self._keys[line.line] = Secret(line.key)
        return line

    def done(self, line: KeyLine) -> None:
        with self._lock:
            self._keys.pop(line.line, None)

    def secrets(self) -> tuple[Secret, ...]:
        with self._lock:
            return tuple(self._keys.values())


async def check_lines(
    lines: Iterable[KeyLine],
    defaults: Defaults,
    options: RunOptions,
    *,
    window: int | None = None,
    live: InFlight | None = None,
) -> AsyncGenerator[KeyRow, None]:
    """A row per line, in the lines' order, as soon as it and every earlier one are done.

    ``live``, when given, holds the keys being worked on at each moment."""
    detection = rules()  # resolved here, once, not in the reader thread
    live = live or InFlight()
    jobs = ((line, prepare(live.add(line), defaults, detection)) for line in lines)
    async with Runner(options) as runner:

        async def work(job: Job) -> CheckResult:
            prepared = job[1]
            if isinstance(prepared, CheckResult):
                return prepared
            return await runner.check(prepared)

        size = window or WINDOW_FACTOR * options.concurrency
        async with aclosing(in_order(jobs, work, window=size)) as results:
            async for (line, _), result in results:
                live.done(line)
                yield KeyRow.of(line, result)
