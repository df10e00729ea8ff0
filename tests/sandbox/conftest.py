"""Fixtures for the sandbox tests: one real uvicorn server on loopback for the session."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import httpx
import pytest

from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

_names = itertools.count(1)


@pytest.fixture(scope="session")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxState()) as srv:
        yield srv


@pytest.fixture
def state(server: SandboxServer) -> SandboxState:
    return server.state


@pytest.fixture
def client(server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5.0) as c:
        yield c


@pytest.fixture
def new_site(state: SandboxState) -> Callable[..., str]:
    """Create a site with a fresh unique name (tests share one server)."""

    def make(dialect: str = "newapi", prefix: str = "site", **settings: object) -> str:
        name = f"{prefix}-{next(_names)}"
        state.add_site(name, dialect, **settings)  # type: ignore[arg-type]
        return name

    return make
