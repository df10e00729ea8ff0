"""What an alert rule is: its config key, how it evaluates a check, what its messages say.

One rule is one :class:`Rule` object; :data:`topup.alerts.rules.RULES` lists them all, and
settings parsing, the manager and the messages only ever iterate over that tuple. A new rule is
one new object there: a name (stored in the database), a config key with its default and its
parser, :meth:`Rule.evaluate`, the four message parts and its severity.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from topup.account import Account
from topup.alerts.engine import RuleState, Verdict
from topup.alerts.located import Where
from topup.model import CheckResult

if TYPE_CHECKING:
    from topup.alerts.messages import Facts
    from topup.alerts.settings import AccountRules

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the rules of one account are evaluated on: one check and what is known around it."""

    result: CheckResult
    rules: AccountRules
    runway_days: Decimal | None = None
    spend_per_day: Decimal | None = None


class Rule(ABC, Generic[T]):
    """One alert rule. ``T`` is the type of its setting (a threshold, a count, a flag).

    The setting comes from the rule's :attr:`key` in ``[alerts]`` and in an account's
    ``alerts`` table (parsed by :meth:`parse`), else from :meth:`inherit`, else
    :attr:`default`; ``None`` or ``False`` turns the rule off for that account.
    """

    #: Stable: the rule column of the history database (alert state, alerts sent).
    name: str
    #: Its key in ``[alerts]`` and in an account's ``alerts`` table.
    key: str
    #: The setting when no table gives one (None: off unless set).
    default: T | None = None
    #: The apprise notify type of its alerts (a recovery is always ``success``).
    severity: str = "warning"

    # -- config -----------------------------------------------------------------------------

    @abstractmethod
    def parse(self, value: Any, where: Where) -> T | None:
        """The setting from the value of :attr:`key` (None: off); a located error if bad."""

    def inherit(self, account: Account) -> T | None:
        """The setting an account gives outside its ``alerts`` table (None: nothing)."""
        return None

    def setting(self, rules: AccountRules) -> T | None:
        """This rule's setting in one account's effective settings."""
        return cast("T | None", rules.settings.get(self.name, self.default))

    def threshold(self, rules: AccountRules) -> T:
        """The setting of a rule that is on (its messages are only composed then)."""
        value = self.setting(rules)
        if value is None:
            raise ValueError(f"alert rule {self.name} is off")
        return value

    def active(self, rules: AccountRules) -> bool:
        value = self.setting(rules)
        return rules.enabled and value is not None and value is not False

    # -- evaluation -------------------------------------------------------------------------

    def track(self, state: RuleState, result: CheckResult) -> RuleState:
        """What the rule remembers of every check, on or off (default: nothing)."""
        return state

    @abstractmethod
    def evaluate(self, i: Inputs, state: RuleState) -> Verdict:
        """FIRE (holds), CLEAR (over, past any hysteresis) or HOLD (unknown: keep the state).

        ``state`` is the rule's state after :meth:`track` of this check.
        """

    # -- messages ---------------------------------------------------------------------------

    @abstractmethod
    def describe(self, f: Facts) -> str:
        """The rule itself: ``Rule:`` of an alert, ``Cleared:`` of a recovery."""

    @abstractmethod
    def headline(self, f: Facts) -> str:
        """The title of an alert, after the account's name."""

    @abstractmethod
    def todo(self, f: Facts) -> str:
        """``What to do:`` of an alert."""

    @abstractmethod
    def recovered(self, f: Facts) -> str:
        """What a recovery says is back."""

    def __repr__(self) -> str:
        return f"<alert rule {self.name}>"
