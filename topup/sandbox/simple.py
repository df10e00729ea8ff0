"""A sandbox imitation of a platform that answers one credential's balance, and nothing else.

Many platforms look like this in the sandbox: sites without settings, one account record per
credential holding a few amounts, no keys. The admin input models are the platform's own
(validated for the Python API too, by the same models the admin API uses, with
:func:`topup.sandbox.prepaid.validated`); spending goes through the
record's own ``take(units)``, so a spend rate and an admin spend change the numbers alike.
It generalises :class:`topup.sandbox.prepaid.PrepaidImitation` to records of any shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields as dataclass_fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar

from pydantic import Field

from topup.sandbox.imitation import Imitation
from topup.sandbox.prepaid import Money, SecretText, SpendIn, validated
from topup.sandbox.records import MAX_QUOTA, Record, SandboxError, Site, random_token

__all__ = ["Label", "Money", "RequestCount", "SecretText", "SimpleImitation"]

Label = Annotated[str, Field(max_length=200)]
RequestCount = Annotated[int, Field(ge=0, lt=MAX_QUOTA)]


class SimpleImitation(Imitation):
    """One record type per platform, credential = the record's token, no site settings.

    Subclasses declare the record type, the admin models (``account_model`` must accept
    ``token``, ``status`` and ``request_count`` besides the amounts), the amounts to list
    (:attr:`amounts`), the smallest step (:attr:`units`), the credential field a topup account
    presents and a token prefix.
    """

    spend_model = SpendIn
    #: The record's amount fields, as the admin state lists them.
    amounts: ClassVar[tuple[str, ...]]
    #: How many of the record's smallest steps one unit of its amounts is.
    units: ClassVar[int]
    #: The topup account field the record's token goes into.
    credential: ClassVar[str] = "api_key"
    issued_prefix: ClassVar[str] = "sk-"

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"{self.title} sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> Record:
        values = validated(self.account_model, fields, "account")
        token = values.pop("token", None) or self.issued_prefix + random_token(40)
        known = {f.name for f in dataclass_fields(self.account_type)}
        return self.account_type(
            site=site.name,
            id=ident,
            token=token,
            **{k: v for k, v in values.items() if k in known},
        )

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return dict(fields), {}

    def units_per_money(self, site: Site, record: Record) -> int:
        return self.units

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        for name, value in validated(self.balance_model, fields, "balance").items():
            if value is not None:
                setattr(record, name, value)

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        amount: Decimal = validated(SpendIn, fields, "spend")["amount"]
        if amount < 0:
            raise SandboxError("a spend is not negative")
        return amount

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        units = (Decimal(spend) * self.units).to_integral_value(rounding=ROUND_HALF_UP)
        record.take(int(units))

    def current(self, record: Record) -> dict[str, Any]:
        return {name: _plain(getattr(record, name)) for name in self.amounts}

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {self.credential: record.token}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
