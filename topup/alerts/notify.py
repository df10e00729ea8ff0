"""Delivery through apprise, one URL at a time, with topup's own tag routing.

Routing: a URL without tags receives every notice; a URL with tags receives the notices of
accounts that share one of them (the account's ``alerts.notify_tags``, else its ``tags``).

Apprise's own tag filter is not used for this, because it does something else: once a tag is
given, untagged URLs are skipped (unless tagged ``always``), and ``all``, ``always`` and
``N:tag`` have special meanings. Sending to each selected URL separately also tells us which
one failed.

Apprise URLs carry tokens: they are only ever shown masked (apprise's privacy form), and every
log record of apprise itself is scrubbed of the tokens of the configured URLs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import apprise

from topup.alerts.messages import Notice
from topup.alerts.settings import NotifyTarget
from topup.secrets import Secret, mask, scrub

log = logging.getLogger("topup.alerts")

_SEVERITY = {
    "info": apprise.NotifyType.INFO,
    "success": apprise.NotifyType.SUCCESS,
    "warning": apprise.NotifyType.WARNING,
    "failure": apprise.NotifyType.FAILURE,
}
_SPLIT = re.compile(r"[/:@?&=#,]+")


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of sending one notice: which URLs (masked) took it and which did not."""

    sent: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.sent)


class _Channel:
    def __init__(self, target: NotifyTarget, asset: apprise.AppriseAsset) -> None:
        self.target = target
        url = target.url.reveal()
        plugin = apprise.Apprise.instantiate(url, asset=asset, suppress_exceptions=True)
        self.apprise = apprise.Apprise(asset=asset)
        self.valid = plugin is not None
        if plugin is not None:
            self.apprise.add(plugin)
            shown = str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]
        else:
            shown = url.split("://", 1)[0] + "://" + mask(url)
        self.secrets = url_secrets(url, shown)
        # apprise's privacy form lists every default as a query parameter: drop them.
        self.shown = scrub(shown.split("?", 1)[0], self.secrets)

    def matches(self, tags: frozenset[str]) -> bool:
        return not self.target.tags or bool(self.target.tags & tags)

    def send(self, title: str, body: str, severity: str) -> bool:
        if not self.valid:
            return False
        try:
            result = self.apprise.notify(
                body=body, title=title, notify_type=_SEVERITY.get(severity, "info")
            )
        except Exception as exc:  # a plugin bug must not stop the watcher
            log.warning("alerts: %s raised %s", self.shown, scrub(type(exc).__name__, self.secrets))
            return False
        return bool(result)


def url_secrets(url: str, shown: str) -> tuple[Secret, ...]:
    """The parts of ``url`` that its privacy form hides (tokens, passwords)."""
    visible = set(_SPLIT.split(shown))
    rest = url.split("://", 1)[-1]
    parts = {p for p in _SPLIT.split(rest) if len(p) >= 4 and p not in visible}
    parts |= {unquote(p) for p in parts}
    return tuple(Secret(p) for p in sorted(parts, key=len, reverse=True))


class _ScrubApprise(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: tuple[Secret, ...] = ()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = scrub(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_apprise_filter = _ScrubApprise()


def _guard_apprise_logs(secrets: Iterable[Secret]) -> None:
    logger = logging.getLogger("apprise")
    known = set(_apprise_filter.secrets)
    _apprise_filter.secrets = tuple(
        sorted(known | set(secrets), key=lambda s: len(s.reveal()), reverse=True)
    )
    if _apprise_filter not in logger.filters:
        logger.addFilter(_apprise_filter)


class Notifier:
    """Sends notices to the configured apprise URLs."""

    def __init__(self, targets: Sequence[NotifyTarget]) -> None:
        asset = apprise.AppriseAsset(app_id="topup", app_desc="topup", storage_mode="memory")
        self.channels = tuple(_Channel(t, asset) for t in targets)
        _guard_apprise_logs(s for c in self.channels for s in c.secrets)

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return tuple(s for c in self.channels for s in c.secrets)

    def routes(self, tags: Iterable[str]) -> tuple[str, ...]:
        """The (masked) URLs an account with ``tags`` is notified through."""
        wanted = frozenset(t.lower() for t in tags)
        return tuple(c.shown for c in self.channels if c.matches(wanted))

    def send(self, notice: Notice, tags: Iterable[str] | None = None) -> Delivery:
        """Send to every URL routed for ``tags`` (``None``: every URL). Never raises."""
        wanted = None if tags is None else frozenset(t.lower() for t in tags)
        title = scrub(notice.title, self.secrets)
        body = scrub(notice.body, self.secrets)
        sent: list[str] = []
        failed: list[str] = []
        for channel in self.channels:
            if wanted is not None and not channel.matches(wanted):
                continue
            if channel.send(title, body, notice.severity):
                sent.append(channel.shown)
            else:
                failed.append(channel.shown)
                what = (
                    "the test message"
                    if notice.kind == "test"
                    else f"the {notice.rule} {notice.kind} notice of {notice.account}"
                )
                log.warning(
                    "alerts: could not deliver %s to %s (%s)",
                    what,
                    channel.shown,
                    channel.target.label,
                )
        return Delivery(tuple(sent), tuple(failed))
