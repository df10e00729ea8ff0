"""The admin API trusts no forwarded headers for its loopback check."""

from __future__ import annotations

import httpx

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.app import create_app
from topup.sandbox.server import SandboxServer, uvicorn_config
from topup.sandbox.state import SandboxState


def test_forwarded_headers_never_change_the_admin_client_address() -> None:
    config = uvicorn_config(create_app(SandboxState()), "127.0.0.1", 0)
    assert config.proxy_headers is False
    with SandboxServer(SandboxState()) as srv:
        for hdr in ({"X-Forwarded-For": "10.0.0.5"}, {"Forwarded": "for=10.0.0.5"}):
            # with proxy headers on, uvicorn would trust loopback and make this client remote
            assert httpx.get(f"{srv.url}/_sandbox/state", headers=hdr).status_code == 200
