"""Delivery to a real HTTP receiver on loopback through apprise's json:// (no mocks)."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest

from topup.alerts import AlertManager
from topup.model import Status
from topup.storage import Store

from .helpers import CANARY, account_toml, at, config, failed, ok
from .receiver import Receiver, closed_port

NOTIFY_TOKEN = "n0tifyT0ken5ecret99"


def _manager(tmp_path: Path, store: Store, receiver: Receiver) -> AlertManager:
    text = (
        "[alerts]\n"
        "notify = [\n"
        f'  "{receiver.url("all")}",\n'
        f'  {{ url = "{receiver.url("team-a")}", tags = ["team-a"] }},\n'
        f'  {{ url = "{receiver.url("team-b")}", tags = ["Team-B"] }},\n'
        "]\n"
        'below = "5"\nfailures = 2\n\n'
        + account_toml("alpha", 'tags = ["team-a"]')
        + account_toml("beta", 'base_url = "https://api.siliconflow.cn"')
        + account_toml("gamma", 'tags = ["team-a"]\nalerts = { notify_tags = ["team-b"] }')
    )
    return AlertManager.from_config(config(text, tmp_path), store)


def _feed(manager: AlertManager, store: Store, result, account, **kw):  # type: ignore[no-untyped-def]
    store.record([(result, account.fingerprint)])
    return manager.observe(account, result, **kw)


def test_tag_routing_delivers_exactly_the_expected_notices(
    tmp_path: Path, store: Store, receiver: Receiver
) -> None:
    manager = _manager(tmp_path, store, receiver)
    accounts = {a.name: a for a in manager_accounts(tmp_path)}
    for name in ("alpha", "beta", "gamma"):
        acct = accounts[name]
        _feed(manager, store, ok(acct, "20", at(0)), acct)
        sent = _feed(
            manager,
            store,
            ok(acct, "4.2", at(1)),
            acct,
            runway_days=Decimal("1.5"),
            spend_per_day=Decimal("2.8"),
        )
        assert [(n.rule, n.kind) for n in sent] == [("below", "fired")]
        _feed(manager, store, ok(acct, "4", at(2)), acct)  # no repeat
    # Untagged URL: everything. Tagged URLs: the accounts sharing a tag (notify_tags first).
    assert sorted(_accounts(receiver.at("all"))) == ["alpha", "beta", "gamma"]
    assert _accounts(receiver.at("team-a")) == ["alpha"]
    assert _accounts(receiver.at("team-b")) == ["gamma"]
    assert len(receiver.received) == 5

    message = receiver.at("team-a")[0]
    assert message.payload["type"] == "warning"
    assert message.title == "topup: alpha balance low: 4.20 USD left"
    body = message.message
    assert "Account: alpha (SiliconFlow)" in body
    assert "Left: 4.20 USD" in body
    assert "Runway: about 1.5 days (spending 2.80 USD/day)" in body
    assert "Rule: balance below 5.00 USD" in body
    assert "What to do: top up at https://api.siliconflow.com" in body
    beta = receiver.at("all")[1]
    assert "top up at https://api.siliconflow.cn" in beta.message

    # Recovery, once, to the same places.
    receiver.clear()
    acct = accounts["alpha"]
    sent = _feed(manager, store, ok(acct, "50", at(3)), acct)
    assert [(n.rule, n.kind) for n in sent] == [("below", "recovered")]
    assert sorted(r.path for r in receiver.received) == ["/all", "/team-a"]
    assert receiver.received[0].payload["type"] == "success"
    assert "recovered: balance back to 50.00 USD" in receiver.received[0].title
    assert [(r.rule, r.kind) for r in store.alert_history("alpha")] == [
        ("below", "fired"),
        ("below", "recovered"),
    ]


def manager_accounts(tmp_path: Path):  # type: ignore[no-untyped-def]
    return config_module_load(tmp_path).accounts


def config_module_load(tmp_path: Path):  # type: ignore[no-untyped-def]
    from topup import config as config_module

    return config_module.load(tmp_path / "topup.toml")


def _accounts(received: list) -> list[str]:  # type: ignore[type-arg]
    return [r.title.split()[1] for r in received]


def test_no_secret_in_any_delivered_body(tmp_path: Path, store: Store, receiver: Receiver) -> None:
    manager = _manager(tmp_path, store, receiver)
    acct = next(a for a in manager_accounts(tmp_path) if a.name == "alpha")
    assert acct.secret("api_key") == CANARY
    _feed(manager, store, ok(acct, "20", at(0)), acct)
    # The platform's error echoes the key: the failures alert must not.
    leak = f"invalid key {CANARY} for user"
    for minute in (1, 2):
        _feed(manager, store, failed(acct, at(minute), Status.AUTH_ERROR, leak), acct)
    _feed(manager, store, ok(acct, "0", at(3), status=Status.EXHAUSTED), acct)
    _feed(manager, store, ok(acct, "3", at(4)), acct)
    kinds = [r.title for r in receiver.at("all")]
    assert len(kinds) == 5, kinds  # failures fired, recovered; exhausted fired, recovered; below
    failure = next(r for r in receiver.at("all") if "failing" in r.title)
    assert "replace the key" in failure.message
    assert "Last check: key rejected (auth_error): invalid key sk-CA" in failure.message
    assert "last seen 20.00 USD" in failure.message
    for r in receiver.received:
        assert CANARY not in r.raw
        assert CANARY[8:-4] not in r.raw
    for record in store.alert_history():
        assert CANARY not in (record.message or "")


def test_an_unreachable_channel_is_logged_without_its_token(
    tmp_path: Path, store: Store, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    dead = f"json://hooker:{NOTIFY_TOKEN}@127.0.0.1:{closed_port()}/dead"
    text = (
        f'[alerts]\nnotify = ["{dead}", "{receiver.url("live")}"]\nbelow = "5"\n\n'
        + account_toml("alpha")
    )
    cfg = config(text, tmp_path)
    manager = AlertManager.from_config(cfg, store)
    acct = cfg.accounts[0]
    with caplog.at_level(logging.DEBUG):
        sent = _feed(manager, store, ok(acct, "1", at(0)), acct)
    assert [(n.rule, n.kind) for n in sent] == [("below", "fired")]
    assert len(sent[0].sent_to) == 1
    assert len(receiver.at("live")) == 1
    assert "could not deliver" in caplog.text
    assert NOTIFY_TOKEN not in caplog.text
    assert NOTIFY_TOKEN not in repr(manager.settings)


def test_every_channel_down_keeps_the_alert_owed(
    tmp_path: Path, store: Store, receiver: Receiver
) -> None:
    port = closed_port()
    path = tmp_path / "topup.toml"
    text = f'[alerts]\nnotify = ["json://127.0.0.1:{port}/x"]\nbelow = "5"\n\n' + account_toml(
        "alpha"
    )
    cfg = config(text, tmp_path)
    manager = AlertManager.from_config(cfg, store)
    acct = cfg.accounts[0]
    assert _feed(manager, store, ok(acct, "1", at(0)), acct) == []
    assert store.alert_history() == []
    # The channel comes back (same config, pointed at the receiver): the alert goes out once.
    path.write_text(text.replace(f"127.0.0.1:{port}/x", f"127.0.0.1:{receiver.port}/x"))
    manager2 = AlertManager.from_config(config_module_load(tmp_path), store)
    assert [n.kind for n in _feed(manager2, store, ok(acct, "1", at(1)), acct)] == ["fired"]
    assert [n.kind for n in _feed(manager2, store, ok(acct, "1", at(2)), acct)] == []
    assert len(receiver.received) == 1
