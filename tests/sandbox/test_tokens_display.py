"""A TOKENS-display site answers billing in raw quota."""

from __future__ import annotations

from typing import Any

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.state import SandboxState

from .helpers import asgi


def test_tokens_display_billing_answers_raw_quota() -> None:
    st = SandboxState()
    st.add_site("t", "newapi", display="TOKENS")
    st.add_site("u", "newapi", display="USD")
    for site in ("t", "u"):
        st.add_key(site, key="sk-" + site, remain=1_500_000, used=500_000)

    def billing(site: str, what: str) -> dict[str, Any]:
        auth = {"Authorization": f"Bearer sk-{site}"}
        r = asgi(st, "GET", f"/{site}/v1/dashboard/billing/{what}", headers=auth)
        assert r.status_code == 200
        body: dict[str, Any] = r.json()
        return body

    sub_t = billing("t", "subscription")
    assert sub_t["hard_limit_usd"] == 2_000_000 == sub_t["soft_limit_usd"]
    assert billing("t", "usage")["total_usage"] == 500_000 * 100  # amount * 100, undivided
    assert billing("u", "subscription")["hard_limit_usd"] == 4
    assert billing("u", "usage")["total_usage"] == 100
