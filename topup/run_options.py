"""How a batch of checks runs: deadlines, bounds, retries, body cap, cache, proxies.

Kept apart from :mod:`topup.runner` so that settings can name them without loading the HTTP
client.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RunOptions:
    #: Seconds one account's whole check may take (requests, retries, bodies).
    timeout: float = 20.0
    #: Accounts checked at once, overall.
    concurrency: int = 32
    #: Accounts checked at once against one host.
    per_host: int = 8
    #: Extra attempts after a 429/502/503/504.
    retries: int = 2
    #: Longest ``Retry-After`` honoured; a longer one ends the check as ``rate_limited``.
    max_retry_wait: float = 30.0
    #: Largest answer read, in bytes (received, and again once decompressed).
    max_body: int = 2 * 1024 * 1024
    #: How long a cached public answer (``/api/status``) is reused.
    cache_ttl: float = 600.0
    #: Honour ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY`` (an account's own
    #: ``proxy`` always wins).
    trust_env: bool = True
