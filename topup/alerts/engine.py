"""The state machine of one rule of one account, persisted as a small JSON document.

::

    armed ──FIRE──▶ fired (send the alert unless within the cooldown of the last one sent)
      ▲                │
      └────CLEAR───────┘ (send a recovery, if the alert was sent)

``HOLD`` (unknown, or inside the hysteresis band) changes nothing. An alert that could not be
delivered, or that fell within the cooldown, stays owed: it is sent on a later check that still
fires once the cooldown has passed. A recovery that could not be delivered is retried while the
condition stays clear; if the condition comes back first, the alert simply continues.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

log = logging.getLogger("topup.alerts")


class Verdict(enum.Enum):
    """What one check says about one rule (see :meth:`topup.alerts.rule.Rule.evaluate`)."""

    #: The condition holds.
    FIRE = "fire"
    #: It is over, past any hysteresis.
    CLEAR = "clear"
    #: Unknown, or inside the hysteresis band: keep the current state.
    HOLD = "hold"


FIRE, CLEAR, HOLD = Verdict.FIRE, Verdict.CLEAR, Verdict.HOLD

Action = Literal["fired", "recovered"]
VERSION = 1


@dataclass(frozen=True, slots=True)
class RuleState:
    #: The condition holds (the rule fired and has not cleared).
    fired: bool = False
    fired_at: datetime | None = None
    #: The current firing was delivered.
    notified: bool = False
    #: The condition cleared after a delivered alert, but the recovery is not delivered yet.
    owed_recovery: bool = False
    #: When the last alert (not recovery) of this rule was delivered: the cooldown's start.
    last_sent_at: datetime | None = None
    #: Failed checks in a row (kept by the ``failures`` rule, in its :meth:`~.rule.Rule.track`).
    failures: int = 0

    # -- persistence ------------------------------------------------------------------------

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "v": VERSION,
            "state": "fired" if self.fired else "armed",
            "fired_at": _iso(self.fired_at),
            "notified": self.notified,
            "owed_recovery": self.owed_recovery,
            "last_sent_at": _iso(self.last_sent_at),
            "failures": self.failures,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> RuleState:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return cls(
                fired=data.get("state") == "fired",
                fired_at=_parse(data.get("fired_at")),
                notified=bool(data.get("notified", False)),
                owed_recovery=bool(data.get("owed_recovery", False)),
                last_sent_at=_parse(data.get("last_sent_at")),
                failures=max(0, int(data.get("failures", 0))),
            )
        except (ValueError, TypeError) as exc:
            log.warning("alerts: ignoring unreadable stored state (%s)", exc)
            return cls()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def step(
    state: RuleState, verdict: Verdict, now: datetime, cooldown: timedelta
) -> tuple[RuleState, Action | None]:
    """The next state and what to send (confirm delivery with :func:`settle`)."""
    if verdict is FIRE:
        if not state.fired:
            if state.owed_recovery:
                # Nobody heard it was over: it simply goes on.
                return replace(state, fired=True, owed_recovery=False, notified=True), None
            state = replace(state, fired=True, fired_at=now, notified=False)
        if not state.notified and _cooled(state, now, cooldown):
            return state, "fired"
        return state, None
    if verdict is CLEAR:
        if state.fired:
            if state.notified:
                return replace(state, fired=False, notified=False, owed_recovery=True), "recovered"
            return replace(state, fired=False, fired_at=None), None
        if state.owed_recovery:
            return state, "recovered"
    return state, None


def settle(state: RuleState, action: Action, delivered: bool, now: datetime) -> RuleState:
    """The state after trying to deliver ``action``."""
    if not delivered:
        return state
    if action == "fired":
        return replace(state, notified=True, last_sent_at=now)
    return replace(state, owed_recovery=False, fired_at=None)


def _cooled(state: RuleState, now: datetime, cooldown: timedelta) -> bool:
    return state.last_sent_at is None or now - state.last_sent_at >= cooldown
