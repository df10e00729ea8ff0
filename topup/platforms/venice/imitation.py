"""Venice in the sandbox: accounts with a USD balance and a DIEM balance (staked credits with
an epoch allocation), found by their ADMIN key.

Amounts move in 0.000001 steps. A spend takes DIEM first, then USD (which may go negative), as
Venice debits them; ``canConsume`` is false once neither is positive, and
``consumptionCurrency`` names what the next request would spend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from topup.platforms.venice import answers
from topup.sandbox.imitation import AdminIn, Money, NonNegative, RequestCount, SecretText, Status
from topup.sandbox.prepaid import gift_first, spend_amount
from topup.sandbox.records import Record, Site
from topup.sandbox.simple import SimpleImitation

STEP = 6


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
        self.diem, self.usd = gift_first(amount, self.diem, self.usd)


class AccountIn(AdminIn):
    token: SecretText | None = None
    usd: Money = Decimal(0)
    diem: Money = Decimal(0)
    diem_allocation: NonNegative = Decimal(0)
    status: Status = 1
    request_count: RequestCount = 0


class BalanceIn(AdminIn):
    usd: Money | None = None
    diem: Money | None = None
    diem_allocation: NonNegative | None = None


class SpendIn(AdminIn):
    amount: NonNegative


class BulkIn(AdminIn):
    usd: Money = Decimal(0)
    diem: Money = Decimal(0)


class VeniceImitation(SimpleImitation):
    dialect = "venice"
    title = "Venice"
    account_model = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type = VeniceAccount
    key_prefix = ""
    key_length = 43
    units = int(10**STEP)
    amounts = ("usd", "diem", "diem_allocation", "can_consume")
    route_table = answers.ROUTES

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        return spend_amount(SpendIn, fields)

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, VeniceAccount)
        record.spend_money(spend)


IMITATION = VeniceImitation()
