"""Waiting in tests for something another thread or process does: poll, never sleep blindly."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """True once ``condition()`` holds, polled every ``interval`` seconds; after ``timeout``
    seconds, its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
