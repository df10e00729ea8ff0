"""Sandbox imitations of platforms that answer one credential's balance, and nothing else.

Many platforms look like this in the sandbox: sites without settings, one account record per
credential holding a few amounts, no keys. Two bases serve them:

- :class:`SimpleImitation`: the admin input models are the platform's own (validated for the
  Python API too, by the same models the admin API uses, with
  :func:`topup.sandbox.prepaid.validated`); spending goes through the record's own
  ``take(units)``, so a spend rate and an admin spend change the numbers alike. It generalises
  :class:`topup.sandbox.prepaid.PrepaidImitation` to records of any shape.
- :class:`ConvertingImitation`: admin input is checked for unknown fields
  (:func:`topup.sandbox.imitation.known`) and each amount is converted by the platform's own
  rule (:attr:`ConvertingImitation.converters`), for the Python and HTTP admin APIs alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields as dataclass_fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar

from pydantic import Field

from topup.sandbox.imitation import (
    AdminIn,
    Money,
    NoSettingsImitation,
    RequestCount,
    SecretText,
    known,
)
from topup.sandbox.money import to_quota
from topup.sandbox.prepaid import SpendIn, spend_amount, validated
from topup.sandbox.records import ENABLED, Record, SandboxError, Site, money, quota_amount

__all__ = [
    "ConvertingImitation",
    "Label",
    "Money",
    "RequestCount",
    "SecretText",
    "SimpleImitation",
    "UnitsImitation",
    "as_data",
    "in_units",
    "not_negative",
]

Label = Annotated[str, Field(max_length=200)]


def as_data(value: Any) -> Any:
    """An amount as JSON-able data: Decimals as strings, anything else as it is."""
    return str(value) if isinstance(value, Decimal) else value


class SimpleImitation(NoSettingsImitation):
    """One record type per platform, credential = the record's token, no site settings.

    Subclasses declare the record type, the admin models (``account_model`` must accept
    ``token``, ``status`` and ``request_count`` besides the amounts), the amounts to list
    (:attr:`amounts`), the smallest step (:attr:`units`), the credential field a topup account
    presents and a key prefix.
    """

    spend_model: ClassVar[type[AdminIn]] = SpendIn
    #: The record's amount fields, as the admin state lists them.
    amounts: ClassVar[tuple[str, ...]]

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> Record:
        values = validated(self.account_model, fields, "account")
        token = values.pop("token", None) or self.new_token()
        known_fields = {f.name for f in dataclass_fields(self.account_type)}
        return self.account_type(
            site=site.name,
            id=ident,
            token=token,
            **{k: v for k, v in values.items() if k in known_fields},
        )

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        for name, value in validated(self.balance_model, fields, "balance").items():
            if value is not None:
                setattr(record, name, value)

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Decimal:
        amount = spend_amount(SpendIn, fields)
        if amount < 0:
            raise SandboxError("a spend is not negative")
        return amount

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        units = (Decimal(spend) * self.units).to_integral_value(rounding=ROUND_HALF_UP)
        record.take(int(units))

    def current(self, record: Record) -> dict[str, Any]:
        return {name: as_data(getattr(record, name)) for name in self.amounts}


#: How an admin amount becomes a record's: the admin field, the record attribute, and the
#: conversion (given the value and the field's name, for its messages).
Converter = tuple[str, str, Callable[[Any, str], Any]]


class ConvertingImitation(NoSettingsImitation):
    """One record type per platform whose admin values the platform converts itself.

    Subclasses declare the record type and admin models, :attr:`converters` (admin amount field
    -> record attribute and conversion, in the order they are checked), :attr:`amounts` (what
    the admin state lists) and :attr:`units`. A new account takes each converted amount (0 when
    not given), a balance call sets those given; ``token``, ``status`` and ``request_count`` are
    read as given. A spend is ``{"amount"}``, converted by :meth:`spend_of`.
    """

    converters: ClassVar[tuple[Converter, ...]] = ()
    amounts: ClassVar[tuple[str, ...]] = ()

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> Record:
        f = known(fields, self.account_model, "account")
        return self.account_type(
            site=site.name,
            id=ident,
            token=f.get("token") or self.new_token(),
            status=f.get("status", ENABLED),
            request_count=f.get("request_count", 0),
            **self.account_amounts(f),
        )

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {k: v for k, v in fields.items() if v is not None}, {}

    def account_amounts(self, f: Mapping[str, Any]) -> dict[str, Any]:
        """A new account's amounts (record attributes) from its admin fields."""
        return {attr: convert(f.get(name, 0), name) for name, attr, convert in self.converters}

    def balance_values(self, f: Mapping[str, Any]) -> dict[str, Any]:
        """The record attributes a balance call sets, converted, before any is set."""
        return {
            attr: convert(f[name], name)
            for name, attr, convert in self.converters
            if f.get(name) is not None
        }

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        values = self.balance_values(known(fields, self.balance_model, "balance"))
        assert isinstance(record, self.account_type)
        for name, value in values.items():
            setattr(record, name, value)

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> Any:
        f = known(fields, self.spend_model, "spend")
        if f.get("amount") is None:
            raise SandboxError(f"{self.named} spends take an amount")
        return self.spend_of(record, f)

    def spend_of(self, record: Record, f: Mapping[str, Any]) -> Any:
        """A validated spend from its known fields (``amount`` given): money by default."""
        return money(f["amount"])

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, self.account_type)
        return {name: as_data(getattr(record, name)) for name in self.amounts}


def not_negative(convert: Callable[[Any, str], Any], message: str) -> Callable[[Any, str], Any]:
    """``convert``, refusing a negative result (``message`` may name the field: ``{what}``)."""

    def checked(value: Any, what: str) -> Any:
        amount = convert(value, what)
        if amount < 0:
            raise SandboxError(message.format(what=what))
        return amount

    return checked


def in_units(units: int) -> Callable[[Any, str], int]:
    """The conversion of money to whole units (``units`` of them per unit of money)."""

    def convert(value: Any, what: str) -> int:
        return quota_amount(to_quota(money(value, what), units), what)

    return convert


class UnitsImitation(ConvertingImitation):
    """A :class:`ConvertingImitation` whose records hold whole units (:attr:`units` per unit of
    money): admin money is converted to them, and a spend takes them (``record.take``)."""

    def spend_of(self, record: Record, f: Mapping[str, Any]) -> int:
        return in_units(self.units)(f["amount"], "amount")

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        record.take(spend)
