"""Prepaid money accounts in the sandbox: the record, admin models and spend rule that
imitations of platforms with one prepaid amount behind a key build on (their answers use
:func:`topup.sandbox.imitation.bearer_answer`).

An account holds ``paid`` (topped up) and ``granted`` (bonus) money and ``used`` (spent so far);
its balance is ``paid + granted``. Spending takes the granted part first, then the paid part,
which may go negative. Amounts move in steps of ``10**-step`` (0.0001 by default; a record type
may move in cents). Sites have no settings.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field, ValidationError

from topup.sandbox.imitation import (
    AdminIn,
    Money,
    NoSettingsImitation,
    RequestCount,
    SecretText,
    Status,
)
from topup.sandbox.records import MAX_MONEY, Record, SandboxError, Site, money

__all__ = ["Money", "SecretText", "gift_first", "spend_amount", "validated"]


def validated(model: type[AdminIn], fields: Mapping[str, Any], what: str) -> dict[str, Any]:
    """``fields`` checked by the admin model (the Python API gets the HTTP API's checks)."""
    try:
        return model.model_validate(dict(fields)).model_dump(exclude_unset=True)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SandboxError(f"bad {what}: {problems}") from None


def spend_amount(model: type[AdminIn], fields: Mapping[str, Any]) -> Decimal:
    """The ``amount`` of a spend, checked by the admin model."""
    return money(validated(model, fields, "spend")["amount"])


def gift_first(amount: Decimal, gift: Decimal, paid: Decimal) -> tuple[Decimal, Decimal]:
    """``(gift, paid)`` once ``amount`` is spent: the gift part first (down to zero), then the
    paid part, which may go negative. Nothing is spent of an amount that is not positive."""
    if amount <= 0:
        return gift, paid
    from_gift = min(amount, max(gift, Decimal(0)))
    return gift - from_gift, paid - (amount - from_gift)


@dataclass(slots=True)
class PrepaidAccount(Record):
    """Prepaid money behind one key."""

    #: Amounts move in steps of 10**-step.
    step: ClassVar[int] = 4

    paid: Decimal = Decimal(0)
    granted: Decimal = Decimal(0)
    used: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        return self.paid + self.granted

    def take(self, units: int) -> None:
        self.spend_money(Decimal(units).scaleb(-self.step))

    def spend_money(self, amount: Decimal) -> None:
        """The granted part first, then the paid part (which may go negative)."""
        if amount <= 0:
            return
        self.granted, self.paid = gift_first(amount, self.granted, self.paid)
        self.used += amount


class AccountIn(AdminIn):
    token: SecretText | None = None
    paid: Money = Decimal(0)
    granted: Money = Decimal(0)
    used: Money = Field(Decimal(0), ge=0, lt=MAX_MONEY, allow_inf_nan=False)
    status: Status = 1
    request_count: RequestCount = 0


class BalanceIn(AdminIn):
    balance: Money | None = None
    paid: Money | None = None
    granted: Money | None = None
    used: Money | None = None


class SpendIn(AdminIn):
    amount: Money


class BulkIn(AdminIn):
    paid: Money = Decimal(0)
    granted: Money = Decimal(0)


class PrepaidImitation(NoSettingsImitation):
    """A platform whose sites hold prepaid accounts, each found by its Bearer key."""

    account_model: ClassVar[type[AdminIn]] = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type: ClassVar[type[Record]] = PrepaidAccount
    key_alphabet = string.ascii_letters

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> Record:
        f = validated(self.account_model, fields, "account")
        token = f.pop("token", None) or self.new_token()
        return self.account_type(site=site.name, id=ident, token=token, **f)

    def units_per_money(self, site: Site, record: Record) -> int:
        assert isinstance(record, PrepaidAccount)
        return int(10**record.step)

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = validated(BalanceIn, fields, "balance")
        assert isinstance(record, PrepaidAccount)
        if f.get("balance") is not None and f.get("paid") is None and f.get("granted") is None:
            record.paid, record.granted = f["balance"], Decimal(0)
        for name in ("paid", "granted", "used"):
            if f.get(name) is not None:
                setattr(record, name, f[name])

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        return spend_amount(SpendIn, fields)

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        assert isinstance(record, PrepaidAccount)
        record.spend_money(spend)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, PrepaidAccount)
        return {
            "balance": str(record.balance),
            "paid": str(record.paid),
            "granted": str(record.granted),
            "used": str(record.used),
        }
