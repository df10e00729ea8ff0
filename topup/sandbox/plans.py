"""Coding plans in the sandbox: the plan record (quota windows) and the imitation base.

A plan subscriber holds two windows of requests, ``5h`` and ``weekly``, each a limit and a used
count, with the time its current window began (reset times are the next multiple of the window's
length after that start, on the state's clock). Spending takes requests (the smallest step) from
both windows, capped at their limits; a spend rate is requests per hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from topup.sandbox.imitation import (
    AdminIn,
    NoSettingsImitation,
    RequestCount,
    SecretText,
    Status,
    known,
)
from topup.sandbox.records import ENABLED, MAX_QUOTA, Record, SandboxError, Site
from topup.sandbox.replies import Reply, json_reply

FIVE_HOURS = 5 * 3600
WEEK = 7 * 86400
Count = RequestCount


@dataclass(slots=True)
class PlanAccount(Record):
    """A coding-plan subscriber: a 5-hour and a weekly window of requests."""

    limit_5h: int = 100
    used_5h: int = 0
    limit_weekly: int = 1000
    used_weekly: int = 0
    #: Unix seconds when the windows began (their resets follow from it).
    started: int = 0
    #: False: the key works but its account has no active plan (the platform's refusal).
    plan: bool = True

    def take(self, units: int) -> None:
        self.used_5h = min(self.limit_5h, self.used_5h + units)
        self.used_weekly = min(self.limit_weekly, self.used_weekly + units)

    def next_reset(self, now: int, length: int) -> int:
        """Unix seconds of the window's next reset after ``now``."""
        start = self.started or now
        periods = max(0, (now - start) // length) + 1
        return start + periods * length

    def resets_at(self, now: int, length: int) -> datetime:
        return datetime.fromtimestamp(self.next_reset(now, length), UTC)


class PlanIn(AdminIn):
    token: SecretText | None = None
    limit_5h: Count = 100
    used_5h: Count = 0
    limit_weekly: Count = 1000
    used_weekly: Count = 0
    plan: bool = True
    status: Status = 1
    request_count: Count = 0


class PlanBalanceIn(AdminIn):
    limit_5h: Count | None = None
    used_5h: Count | None = None
    limit_weekly: Count | None = None
    used_weekly: Count | None = None
    plan: bool | None = None


class PlanSpendIn(AdminIn):
    requests: Count


class PlanBulkIn(AdminIn):
    limit_5h: Count = 100
    limit_weekly: Count = 1000


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_QUOTA:
        raise SandboxError(f"{what} must be a whole number from 0 below 10**18")
    return value


class PlanImitation(NoSettingsImitation):
    """What every coding-plan imitation shares: records, admin input, spending."""

    account_model: ClassVar[type[AdminIn]] = PlanIn
    balance_model = PlanBalanceIn
    spend_model = PlanSpendIn
    bulk_model = PlanBulkIn
    account_type: ClassVar[type[Record]] = PlanAccount
    units = 1  # a spend rate is requests per hour

    def new_account(self, state: Any, site: Site, ident: str, fields: Any) -> PlanAccount:
        f = known(fields, self.account_model, "account")
        record_type = self.account_type
        assert issubclass(record_type, PlanAccount)
        extra = {k: f[k] for k in f if k not in PlanIn.model_fields}
        record = record_type(
            site=site.name,
            id=ident,
            token=f.get("token") or self.new_token(),
            status=f.get("status", ENABLED),
            request_count=_count(f.get("request_count", 0), "request_count"),
            limit_5h=_count(f.get("limit_5h", 100), "limit_5h"),
            used_5h=_count(f.get("used_5h", 0), "used_5h"),
            limit_weekly=_count(f.get("limit_weekly", 1000), "limit_weekly"),
            used_weekly=_count(f.get("used_weekly", 0), "used_weekly"),
            started=state.now_ts(),
            plan=bool(f.get("plan", True)),
            **extra,
        )
        return record

    def set_balance(self, site: Site, record: Record, fields: Mapping[str, Any]) -> None:
        f = known(fields, PlanBalanceIn, "balance")
        assert isinstance(record, PlanAccount)
        values = {k: _count(v, k) for k, v in f.items() if v is not None and k != "plan"}
        for name, value in values.items():
            setattr(record, name, value)
        if f.get("plan") is not None:
            record.plan = bool(f["plan"])

    def validate_spend(self, site: Site, record: Record, fields: Mapping[str, Any]) -> int:
        f = known(fields, PlanSpendIn, "spend")
        if f.get("requests") is None:
            raise SandboxError(f"{self.title} spends take a number of requests")
        return _count(f["requests"], "requests")

    def spend(self, site: Site, record: Record, spend: Any) -> None:
        record.take(spend)

    def current(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, PlanAccount)
        return {
            "limit_5h": record.limit_5h,
            "used_5h": record.used_5h,
            "limit_weekly": record.limit_weekly,
            "used_weekly": record.used_weekly,
            "plan": record.plan,
        }


def unknown_site() -> Reply:
    return json_reply(404, {"detail": "unknown site"})
