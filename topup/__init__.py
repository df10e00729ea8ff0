"""topup: every LLM API balance you hold, checked at once, correctly.

The library API, for scripts::

    import topup

    config = topup.load()                          # or topup.load(Path("topup.toml"))
    for result in topup.check(config.select([])):  # every enabled account
        print(result.account, result.status, result.balance, result.currency)

    results = await topup.check_async(config.accounts)   # inside a running event loop

Everything named in ``__all__`` is the stable interface; other modules may change. The names
load on first use, so ``import topup.sandbox`` (say) does not pay for the HTTP client.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from topup.account import Account
    from topup.config import Config, load, parse
    from topup.errors import (
        AuthError,
        BadResponseError,
        CheckError,
        ConfigError,
        DisabledError,
        EndpointRetiredError,
        ExhaustedError,
        RateLimitedError,
        TopupError,
        UnavailableError,
        UnreachableError,
    )
    from topup.model import Balance, CheckResult, Status
    from topup.runner import RunOptions
    from topup.runner import run as check

__all__ = [
    "Account",
    "AuthError",
    "BadResponseError",
    "Balance",
    "CheckError",
    "CheckResult",
    "Config",
    "ConfigError",
    "DisabledError",
    "EndpointRetiredError",
    "ExhaustedError",
    "RateLimitedError",
    "RunOptions",
    "Status",
    "TopupError",
    "UnavailableError",
    "UnreachableError",
    "check",
    "check_async",
    "load",
    "parse",
]

#: Where each exported name lives: (module, name there).
_EXPORTS: dict[str, tuple[str, str]] = {
    "Account": ("topup.account", "Account"),
    "Balance": ("topup.model", "Balance"),
    "CheckResult": ("topup.model", "CheckResult"),
    "Config": ("topup.config", "Config"),
    "RunOptions": ("topup.runner", "RunOptions"),
    "Status": ("topup.model", "Status"),
    "check": ("topup.runner", "run"),
    "load": ("topup.config", "load"),
    "parse": ("topup.config", "parse"),
    **{name: ("topup.errors", name) for name in __all__ if name.endswith("Error")},
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'topup' has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


async def check_async(
    accounts: Iterable[Account], options: RunOptions | None = None
) -> list[CheckResult]:
    """Check the accounts concurrently; the results come back in the accounts' order.

    The same as :func:`check` (``topup.runner.run``), for code already in an event loop.
    """
    from topup.runner import Runner

    async with Runner(options) as runner:
        return await runner.check_all(accounts)
