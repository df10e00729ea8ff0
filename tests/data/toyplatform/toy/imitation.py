from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from topup.sandbox.imitation import AdminIn, Answer, Imitation, Route
from topup.sandbox.records import Record, Site, money, random_token
from topup.sandbox.replies import json_reply


@dataclass(slots=True)
class ToyUser(Record):
    left: Decimal = Decimal(0)

    def take(self, units: int) -> None:
        self.left -= Decimal(units).scaleb(-2)


class AmountIn(AdminIn):
    left: Decimal | None = None
    token: str | None = None


class SpendIn(AdminIn):
    amount: Decimal


def balance(state: Any, site: Site, headers: Mapping[str, str]) -> Answer:
    token = (headers.get("authorization") or "").removeprefix("Bearer ")
    user = state.account_by_token(site.name, token)
    if user is None:
        return Answer(json_reply(401, {"error": "no"}))
    now = state.current(user)
    return Answer(json_reply(200, {"left": now.left, "currency": "EUR"}), user, count=True)


class ToyImitation(Imitation):
    dialect = "toy"
    title = "Toy"
    account_model = AmountIn
    balance_model = AmountIn
    spend_model = SpendIn
    bulk_model = AmountIn
    account_type = ToyUser

    def settings(self, fields: Mapping[str, Any]) -> None:
        return None

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> ToyUser:
        token = fields.get("token") or "toy-" + random_token()
        return ToyUser(site.name, ident, token, left=money(fields.get("left", 0)))

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return dict(fields), {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return 100

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        assert isinstance(record, ToyUser)
        record.left = money(fields["left"])

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Any:
        return money(fields["amount"])

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, ToyUser)
        record.left -= spend

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, ToyUser)
        return {"left": str(record.left)}

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}

    def routes(self) -> tuple[Route, ...]:
        return (Route("/toy/balance", balance, "Toy: the balance"),)


IMITATION = ToyImitation()
