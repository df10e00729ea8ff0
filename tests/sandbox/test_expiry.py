"""Key and token expiry follow the state clock."""

from __future__ import annotations

from datetime import UTC, datetime

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.state import SandboxState

from .helpers import Clock, asgi


def test_key_and_token_expiry_follow_the_state_clock() -> None:
    clock = Clock(datetime.now(UTC))
    st = SandboxState(clock=clock)
    st.add_site("r", "newapi", auth_era="newest")
    soon = int(clock().timestamp()) + 3600
    key = st.add_key("r", remain=5_000_000, expires_at=soon)
    st.add_account("r", quota=5, token="tok", token_expires_at=soon)
    auth = {"Authorization": "Bearer " + key.key}
    assert asgi(st, "GET", "/r/api/usage/token/", headers=auth).status_code == 200
    clock.advance(hours=2)  # sandbox time only; the wall clock has not moved
    r = asgi(st, "GET", "/r/api/usage/token/", headers=auth)
    assert r.status_code == 401 and r.json()["error"]["message"] == "该令牌已过期"
    r = asgi(st, "GET", "/r/api/user/self", headers={"Authorization": "tok"})
    assert r.status_code == 401 and r.json()["code"] == "AUTH_TOKEN_EXPIRED"
