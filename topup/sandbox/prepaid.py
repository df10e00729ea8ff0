"""Prepaid money accounts in the sandbox: the record, admin models, spend rule and Bearer lookup
that imitations of platforms with one prepaid amount behind a key build on.

An account holds ``paid`` (topped up) and ``granted`` (bonus) money and ``used`` (spent so far);
its balance is ``paid + granted``. Spending takes the granted part first, then the paid part,
which may go negative. Amounts move in steps of ``10**-step`` (0.0001 by default; xAI: cents).
Sites have no settings.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, ValidationError

from topup.sandbox.imitation import AdminIn, Answer, Imitation
from topup.sandbox.records import (
    ENABLED,
    MAX_MONEY,
    MAX_QUOTA,
    Record,
    SandboxError,
    Site,
    money,
    random_token,
)
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.sandbox.state import SandboxState

Money = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MONEY, lt=MAX_MONEY)]
SecretText = Annotated[str, Field(min_length=1, max_length=512)]


def bearer(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def validated(model: type[AdminIn], fields: Mapping[str, Any], what: str) -> dict[str, Any]:
    """``fields`` checked by the admin model (the Python API gets the HTTP API's checks)."""
    try:
        return model.model_validate(dict(fields)).model_dump(exclude_unset=True)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SandboxError(f"bad {what}: {problems}") from None


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
        from_granted = min(amount, max(self.granted, Decimal(0)))
        self.granted -= from_granted
        self.paid -= amount - from_granted
        self.used += amount


class AccountIn(AdminIn):
    token: SecretText | None = None
    paid: Money = Decimal(0)
    granted: Money = Decimal(0)
    used: Money = Field(Decimal(0), ge=0, lt=MAX_MONEY, allow_inf_nan=False)
    status: Literal[1, 2] = 1
    request_count: int = Field(0, ge=0, lt=MAX_QUOTA)


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


class PrepaidImitation(Imitation):
    """A platform whose sites hold prepaid accounts, each found by its Bearer key."""

    account_model: ClassVar[type[AdminIn]] = AccountIn
    balance_model = BalanceIn
    spend_model = SpendIn
    bulk_model = BulkIn
    account_type: ClassVar[type[Record]] = PrepaidAccount
    #: How the platform's keys start (a new account's random key).
    key_prefix: ClassVar[str] = "sk-"

    def settings(self, fields: Mapping[str, Any]) -> None:
        if fields:
            raise SandboxError(f"{self.title} sites have no settings: {', '.join(sorted(fields))}")

    def load_settings(self, data: Mapping[str, Any]) -> None:
        return None

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> Record:
        f = validated(self.account_model, fields, "account")
        token = f.pop("token", None) or self.key_prefix + random_token(40, string.ascii_letters)
        return self.account_type(site=site.name, id=ident, token=token, **f)

    def bulk_fields(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return dict(fields), {}

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
        return money(validated(SpendIn, fields, "spend")["amount"])

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

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token}


def answer(
    state: SandboxState,
    site: Site,
    headers: Mapping[str, str],
    body: Callable[[Any], Any],
    refused: Callable[[], Reply],
) -> Answer:
    """The balance answer of the enabled account whose key is in ``Authorization: Bearer``
    (its amounts as they are now), else the platform's refusal."""
    token = bearer(headers.get("authorization"))
    acc = state.account_by_token(site.name, token) if token else None
    if acc is None:
        return Answer(refused())
    if acc.status != ENABLED:
        return Answer(refused(), acc)
    return Answer(json_reply(200, body(state.current(acc))), acc, count=True)
