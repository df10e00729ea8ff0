"""Venice in the sandbox: accounts with a USD balance and a DIEM balance (staked credits with
an epoch allocation), found by their ADMIN key.

Amounts move in 0.000001 steps. A spend takes DIEM first, then USD (which may go negative), as
Venice debits them; ``canConsume`` is false once neither is positive, and
``consumptionCurrency`` names what the next request would spend.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from topup.platforms.venice import answers
from topup.sandbox.imitation import AdminIn, Imitation, Route
from topup.sandbox.prepaid import Money, SecretText, validated
from topup.sandbox.records import (
    MAX_MONEY,
    MAX_QUOTA,
    Record,
    SandboxError,
    Site,
    money,
    random_token,
)

STEP = 6
Amount = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, lt=MAX_MONEY)]


@dataclass(slots=True)
class VeniceAccount(Record):
    usd: Decimal = Decimal(0)
    diem: Decimal = Decimal(0)
    diem_allocation: Decimal = Decimal(0)

    @property
    def can_consume(self) -> bool:
        return self.usd > 0 or self.diem > 0

    @property
    def consumption_currency(self) -> str | None:
        if self.diem > 0:
            return "DIEM"
        return "USD" if self.usd > 0 else None

    def take(self, units: int) -> None:
        self.spend_money(Decimal(units).scaleb(-STEP))

    def spend_money(self, amount: Decimal) -> None:
        """DIEM first, then USD."""
        if amount <= 0:
            return
        from_diem = min(amount, max(self.diem, Decimal(0)))
        self.diem -= from_diem
        self.usd -= amount - from_diem


class AccountIn(AdminIn):
    token: SecretText | None = None
    usd: Money = Decimal(0)
    diem: Money = Decimal(0)
    diem_allocation: Amount = Decimal(0)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)


class BalanceIn(AdminIn):
    usd: Money | None = None
    diem: Money | None = None
    diem_allocation: Amount | None = None


class SpendIn(AdminIn):
    amount: Amount


class BulkIn(AdminIn):
    usd: Money = Decimal(0)
    diem: Money = Decimal(0)


class VeniceImitation(Imitation):
    dialect = "venice"
    title = "Venice"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = VeniceAccount

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"Venice sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> VeniceAccount:
        f = validated(AccountIn, fields, "account")
        token = f.pop("token", None) or random_token(43, string.ascii_letters + string.digits)
        return VeniceAccount(site=site.name, id=ident, token=token, **f)

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return dict(fields), {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return int(10**STEP)

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        for name, value in validated(BalanceIn, fields, "balance").items():
            if value is not None:
                setattr(record, name, value)

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        return money(validated(SpendIn, fields, "spend")["amount"])

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, VeniceAccount)
        record.spend_money(spend)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, VeniceAccount)
        return {
            "usd": str(record.usd),
            "diem": str(record.diem),
            "diem_allocation": str(record.diem_allocation),
            "can_consume": record.can_consume,
        }

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}

    def routes(self) -> tuple[Route, ...]:
        return answers.ROUTES


IMITATION = VeniceImitation()
