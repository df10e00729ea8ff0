"""new-api user-id headers: odd values are the format 401, good ones work."""

from __future__ import annotations

import pytest

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.state import SandboxState

from .helpers import asgi


@pytest.mark.parametrize(
    "value", ["\u00b2", "\u00b9", "--1", "1" * 5000, "1" * 19, "0x1", "+1", "1e3"]
)
def test_odd_user_id_header_is_the_format_401(value: str) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    st.add_account("r", quota=1000, token="tok")
    headers = {"Authorization": b"Bearer tok", "New-Api-User": value.encode("latin-1")}
    r = asgi(st, "GET", "/r/api/user/self", headers=headers)
    assert r.status_code == 401, r.text
    assert r.json() == {"success": False, "message": "无权进行此操作,New-Api-User 格式错误"}


def test_good_user_id_headers_still_work() -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    st.add_account("r", id="123456789012345678", quota=1000, token="tok")
    r = asgi(
        st,
        "GET",
        "/r/api/user/self",
        headers={"Authorization": "tok", "New-Api-User": " 123456789012345678 "},
    )
    assert r.status_code == 200 and r.json()["data"]["id"] == 123456789012345678
