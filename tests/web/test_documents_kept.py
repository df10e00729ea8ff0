"""``/api/accounts`` after a change: the changed account's JSON is new, the others' are the
ones already serialised (kept across snapshots, not rebuilt for every stored check)."""

from __future__ import annotations

import json
from pathlib import Path

from topup.account import Account
from topup.storage import Store, sqlite_url
from topup.web.documents import Documents
from topup.web.listing import Query
from topup.web.views import Board

from .test_revalidate import record


def test_only_the_changed_account_is_serialised_again(tmp_path: Path) -> None:
    names = ["a", "b", "c"]
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:
        record(store, names, "100", hours_ago=30)
        record(store, names, "90", hours_ago=2)
        docs = Documents(Board(store, [Account(name=n, provider="siliconflow") for n in names]))
        first = docs.snapshot()
        before = {v.name: first.fragment(v) for v in first.views}

        record(store, ["b"], "40", hours_ago=0)
        doc = json.loads(docs.accounts(Query()))
        assert {a["account"]: a["balance"] for a in doc["accounts"]} == {
            "a": "90",
            "b": "40",
            "c": "90",
        }
        second = docs.snapshot()
        assert second is not first
        after = {v.name: second.fragment(v) for v in second.views}
        assert after["a"] is before["a"] and after["c"] is before["c"]
        assert after["b"] != before["b"] and json.loads(after["b"])["balance"] == "40"
