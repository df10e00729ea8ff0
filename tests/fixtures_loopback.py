"""Fixtures and answer builders shared by the tests that talk to :mod:`loopback`.

Import explicitly: ``from fixtures_loopback import loopback, sf_ok, ...``. Every account gets its
own path prefix on the one server (``base_url = server.url + "/<name>"``), so the server can
answer each account differently and count each account's requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from loopback import Loopback

from topup.account import Account
from topup.config import build_account
from topup.platforms import Exchange

SF_PATH = "/v1/user/info"


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    with Loopback() as server:
        yield server


def sf_ok(prefix: str, total: str, granted: str = "0", paid: str | None = None) -> Exchange:
    """A documented SiliconFlow 200 answer at ``/<prefix>/v1/user/info``."""
    return Exchange(
        f"/{prefix}{SF_PATH}",
        json={
            "code": 20000,
            "message": "OK",
            "status": True,
            "data": {
                "id": "userid",
                "name": "",
                "balance": granted,
                "chargeBalance": paid if paid is not None else total,
                "totalBalance": total,
                "status": "normal",
            },
        },
    )


def relay_status(prefix: str, quota_per_unit: int = 500000, **extra: Any) -> Exchange:
    return Exchange(
        f"/{prefix}/api/status",
        json={"success": True, "message": "", "data": {"quota_per_unit": quota_per_unit, **extra}},
    )


def relay_self(prefix: str, quota: int, used: int = 0, **extra: Any) -> Exchange:
    """A new-api ``/api/user/self`` answer (quota units; 500000 per USD by default)."""
    data = {
        "id": 42,
        "username": "alice",
        "quota": quota,
        "used_quota": used,
        "request_count": 7,
        "status": 1,
        **extra,
    }
    return Exchange(f"/{prefix}/api/user/self", json={"success": True, "message": "", "data": data})


def sf_account(server: Loopback, name: str, key: str = "sk-test-key-0000", **more: Any) -> Account:
    raw = {"name": name, "provider": "siliconflow", "api_key": key}
    raw["base_url"] = f"{server.url}/{more.pop('prefix', name)}"
    return build_account({**raw, **more}, env={})


def relay_account(
    server: Loopback,
    name: str,
    token: str = "relay-token-0000",
    prefix: str | None = None,
    **more: Any,
) -> Account:
    raw = {
        "name": name,
        "provider": "newapi",
        "access_token": token,
        "user_id": 42,
        "base_url": f"{server.url}/{prefix or name}",
    }
    return build_account({**raw, **more}, env={})


def dec(text: str) -> Decimal:
    return Decimal(text)
