"""Admin input is validated up front: bad amounts and unknown fields are 422."""

from __future__ import annotations

from typing import Any

import pytest

import topup.cli.sandbox  # noqa: F401 - registers `topup sandbox`
from topup.sandbox.state import SandboxError, SandboxState

from .helpers import asgi


@pytest.mark.parametrize(
    ("site", "body"),
    [
        ("r", {"id": "9" * 5000, "token": "big", "quota": 5}),
        ("r", {"id": "\u00b2", "token": "sq"}),
        ("sf", {"id": "\u00b2", "token": "sq", "paid": "1"}),
        ("r", {"id": "-1", "token": "neg"}),
        ("r", {"id": "1" * 19, "token": "long"}),
        ("sf", {"token": "a", "paid": "1e30"}),
        ("sf", {"token": "a", "granted": "-1e15"}),
        ("sf", {"token": "a", "paid": "NaN"}),
        ("r", {"token": "b", "balance": "1e5000"}),
        ("r", {"token": "b", "quota": 10**18}),
    ],
)
def test_bad_admin_input_is_a_422_and_creates_nothing(site: str, body: dict[str, Any]) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    st.add_site("sf", "siliconflow")
    r = asgi(st, "POST", f"/_sandbox/sites/{site}/accounts", json=body)
    assert r.status_code == 422, r.text
    assert st.list_accounts() == []
    auth = {"Authorization": f"Bearer {body['token']}"}
    path = "/sf/v1/user/info" if site == "sf" else "/r/api/user/self"
    assert asgi(st, "GET", path, headers=auth).status_code < 500


def test_bad_amounts_in_later_admin_calls_are_422() -> None:
    st = SandboxState()
    st.add_site("sf", "siliconflow")
    acc = st.add_account("sf", paid="1", token="t")
    for path, body in [
        ("balance", {"account": acc.id, "paid": "1e30"}),
        ("spend", {"account": acc.id, "amount": "Infinity"}),
        ("spend-rate", {"account": acc.id, "per_hour": "1e15"}),
        ("balance", {"account": "\u00b2", "paid": "1"}),
    ]:
        r = asgi(st, "POST", f"/_sandbox/sites/sf/{path}", json=body)
        assert r.status_code == 422, (path, body, r.text)
    r = asgi(st, "GET", "/sf/v1/user/info", headers={"Authorization": "Bearer t"})
    assert r.status_code == 200 and r.json()["data"]["totalBalance"] == "1.00"


def test_state_api_bounds_amounts_too() -> None:
    st = SandboxState()
    st.add_site("sf", "siliconflow")
    st.add_site("r", "newapi")
    with pytest.raises(SandboxError):
        st.add_account("sf", paid="1e30")
    with pytest.raises(SandboxError):
        st.add_account("sf", id="\u00b2")
    with pytest.raises(SandboxError):
        st.add_key("r", balance="1e5000")
    acc = st.add_account("sf", paid="1")
    with pytest.raises(SandboxError):
        st.set_balance("sf", account=acc.id, granted="sNaN")
    assert st.current(acc).total == 1


def test_an_account_is_indexed_only_after_its_write(monkeypatch: pytest.MonkeyPatch) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")

    def broken(items: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(st, "_write", broken)
    for make in (
        lambda: st.add_account("r", token="tok", quota=1),
        lambda: st.bulk_accounts("r", 3, quota=1),
        lambda: st.add_key("r", key="sk-x", remain=1),
        lambda: st.bulk_keys("r", 3, remain=1),
    ):
        with pytest.raises(OSError):
            make()
    assert st.account_by_token("r", "tok") is None and st.list_accounts() == []
    assert st.find_key("r", "sk-x") is None and st.list_keys() == []
    monkeypatch.undo()
    assert st.add_account("r", quota=1).id == "1"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_sandbox/sites/r/faults", {"kind": "latency", "seconds": 5}),
        ("/_sandbox/sites/r/accounts", {"quota": 5, "qouta": 7}),
        ("/_sandbox/sites/r/keys", {"remain": 5, "expires": 1}),
        ("/_sandbox/sites/r/bulk", {"accounts": 1, "count": 5}),
        ("/_sandbox/sites", {"name": "x", "dialect": "newapi", "era": "newest"}),
    ],
)
def test_unknown_admin_fields_are_refused(path: str, body: dict[str, Any]) -> None:
    st = SandboxState()
    st.add_site("r", "newapi")
    r = asgi(st, "POST", path, json=body)
    assert r.status_code == 422, r.text
    assert st.faults == {} and st.list_accounts() == [] and st.list_keys() == []
