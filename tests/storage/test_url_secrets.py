"""A database password in the history URL never appears in an error (or its repr)."""

from __future__ import annotations

import pytest
from loopback import free_port as closed_port

from topup.storage import StorageError, Store

CANARY = "PwCanary-7c1e9a44b2"


def test_unreachable_database_error_hides_the_password() -> None:
    url = f"postgresql+psycopg://topup:{CANARY}@127.0.0.1:{closed_port()}/topup"
    with pytest.raises(StorageError) as caught:
        Store.open(url, connect_timeout=2)
    assert CANARY not in str(caught.value)
    assert CANARY not in repr(caught.value)
    assert "unavailable" in str(caught.value)
