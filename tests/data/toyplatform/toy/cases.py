from __future__ import annotations

from topup.platforms.base import Case, Exchange, Staged

CASES = (
    Case(
        "balance in EUR",
        {"api_key": "toy-1", "base_url": "https://toy.example"},
        (Exchange("/toy/balance", json={"left": "1.50", "currency": "EUR"}),),
        {"status": "ok", "balance": "1.50", "currency": "EUR"},
        staged=Staged(account={"left": "1.50"}),
    ),
    Case(
        "unknown key",
        {"api_key": "toy-2", "base_url": "https://toy.example"},
        (Exchange("/toy/balance", status=401, json={"error": "no"}),),
        {"status": "auth_error"},
        staged=Staged(account={"left": "1"}, config={"api_key": "toy-unknown"}),
    ),
)
