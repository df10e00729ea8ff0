"""Alerts: rules per account, fired on the transition, delivered through apprise.

Usage (what ``topup watch`` does)::

    from topup.alerts import AlertManager

    manager = AlertManager.from_config(config, store)   # ConfigError on a bad [alerts] table
    notices = manager.observe(account, result, runway_days=runway, spend_per_day=spend)
    manager.send_test()                                  # `topup alerts test`

:meth:`AlertManager.observe` evaluates every rule of the account on one check result, keeps
each rule's state in the store (``Store.set_alert_state``; a restart neither repeats nor loses
an alert), delivers, records each sent notice (``Store.record_alert``) and returns the notices
that went out. The account must be known to the store (its check recorded) for the state to be
written; until then the state is kept in memory and written on a later call.

Config::

    [alerts]
    # apprise URLs; a URL with tags only gets the accounts that share a tag,
    # a URL without tags gets every account
    notify = ["json://127.0.0.1:9999/hook", { url = "tgram://bot/chat", tags = ["team-a"] }]
    below = "5"            # balance below this (default: off; an account's min_balance sets it)
    runway_days = 3        # runway below N days (default: off; needs balance history)
    failures = 3           # checks failing N times in a row (default 3)
    expiring_days = 7      # key expiring within N days (default 7)
    cooldown = "6h"        # a rule that re-fires is not sent again within this (default 6h)
    hysteresis = "10%"     # the balance must rise 10% above the threshold to clear, or an
                           # amount: "1" (default 10%; runway uses the percentage only)
    exhausted = true       # the platform refuses the key for lack of money (default on)
    disabled = true        # the platform disabled the account or key (default on)
    endpoint_retired = true  # the platform retired the balance endpoint (default on)
    window_below = "10%"   # a coding plan's quota window has less than 10% left (default: off)
    enabled = true         # false: no alerts at all

    [[accounts]]
    name = "relay"
    min_balance = "10"     # also the account's `below`, unless alerts.below is given
    tags = ["team-a"]      # routes to URLs tagged team-a (and to untagged URLs)
    alerts = { below = "20", runway_days = 5, notify_tags = ["team-a"], enabled = true }

Per account, ``alerts`` takes every ``[alerts]`` key but ``notify``, plus ``notify_tags``
(routing tags; default: the account's ``tags``) and ``topup_url`` (where to top up, shown in
messages; default: the platform's site). A number rule set to ``false`` is off; amounts are
in the account's currency. Precedence for ``below``: ``alerts.below``, then ``min_balance``,
then ``[alerts] below``.

Semantics: a rule fires once when its condition starts to hold, and sends a recovery notice
when it clears (``below`` and ``runway`` only past the hysteresis). A failed check is unknown,
never zero: it neither fires nor clears ``below``, ``runway``, ``expiring``, ``exhausted`` or
``disabled``; it counts towards ``failures``. ``endpoint_retired`` clears when the platform
answers again. A rule that re-fires within the cooldown of its last sent alert is not sent
then; if it still holds once the cooldown is over, it is sent on that check. A notice that no
notify URL accepted is retried on later checks. Messages name the account, the platform, what
is left, the runway and what to do, and never carry a secret.

Layout: one rule is one object (:class:`~.rule.Rule`: its config key and default, how it
evaluates a check, its messages and severity); :data:`RULES` (:mod:`~.rules`) lists them all,
and settings parsing (:mod:`~.settings`), the manager and the messages iterate over it. The
state machine every rule shares is :mod:`~.engine`; delivery is :mod:`~.notify`; config value
parsers and located errors are :mod:`~.values` and :mod:`~.located`; what a worker decides in an
account's alert transaction when several share one database is :mod:`~.shared`.
"""

from topup.alerts.engine import RuleState
from topup.alerts.manager import AlertManager, AlertStore
from topup.alerts.messages import Notice
from topup.alerts.notify import Delivery, Notifier
from topup.alerts.rule import Rule
from topup.alerts.rules import RULES
from topup.alerts.settings import AccountRules, AlertSettings, NotifyTarget

__all__ = [
    "RULES",
    "AccountRules",
    "AlertManager",
    "AlertSettings",
    "AlertStore",
    "Delivery",
    "Notice",
    "Notifier",
    "NotifyTarget",
    "Rule",
    "RuleState",
]
