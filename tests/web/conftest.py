"""Fixtures of the web tests (the builders live in :mod:`web.support`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .support import TOKEN, Server, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the access token set."""
    yield from serve(tmp_path_factory.mktemp("web"), TOKEN)


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server without a token (as on 127.0.0.1)."""
    yield from serve(tmp_path_factory.mktemp("web-open"), None)
