"""The cyclic garbage collector's pace during a batch of checks.

Every pending check holds a task, coroutines, a request and an answer that live until its
result is made; CPython's collector traverses all of them every 700 allocations, about a fifth
of the CPU of checking 10,000 accounts at once (benchmarks/README.md, "Fan-out"). Memory freed
by reference counting (almost all of it) is still freed at once; only reference cycles wait a
little longer to be collected.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two young-generation collections during a batch (CPython's default: 700).
RUN_GC_THRESHOLD = 20_000
_collections_lock = threading.Lock()
_collections_raised = 0
_collections_saved = 0


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The young generation collected at most once every :data:`RUN_GC_THRESHOLD`
    allocations while the block runs. Nested or concurrent uses (threads) restore the
    threshold when the last one ends."""
    global _collections_raised, _collections_saved
    with _collections_lock:
        if _collections_raised == 0:
            _collections_saved = gc.get_threshold()[0]
            rest = gc.get_threshold()[1:]
            gc.set_threshold(max(_collections_saved, RUN_GC_THRESHOLD), *rest)
        _collections_raised += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_raised -= 1
            if _collections_raised == 0:
                gc.set_threshold(_collections_saved, *gc.get_threshold()[1:])
