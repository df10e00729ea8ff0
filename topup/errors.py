"""The exception tree. Adapters raise these; the runner classifies them into a :class:`Status`.

::

    TopupError
    ├── ConfigError                a wrong config file, line or account (exit 2, nothing checked)
    └── CheckError                 one account could not be checked; carries a Status
        ├── AuthError              auth_error: bad, missing or expired credential
        ├── ExhaustedError         exhausted: nothing left, the platform refuses the key/account
        ├── DisabledError          disabled: the platform disabled the account or key
        ├── RateLimitedError       rate_limited: HTTP 429
        ├── UnavailableError       unavailable: 5xx, timeouts, resets
        ├── UnreachableError       unreachable: connection refused, DNS failure
        ├── EndpointRetiredError   endpoint_retired: e.g. HTTP 410 Gone
        └── BadResponseError       bad_response: not the documented shape, or a failure flag

Messages are written for people and must never contain a secret; the runner additionally
sanitises every message (:func:`topup.sanitize.message`: no control characters, a bounded
length, the account's credentials masked) before it leaves.
"""

from __future__ import annotations

from pathlib import Path

from topup.i18n import gettext as _
from topup.model import Status


class TopupError(Exception):
    """Base of every error topup raises on purpose."""


class ConfigError(TopupError):
    """A configuration problem: says where (file, line, account) and what to do."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        account: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.account = account
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = self.message
        if self.account:
            text = _("account {name}: {message}").format(name=repr(self.account), message=text)
        if self.hint:
            text = _("{message} ({hint})").format(message=text, hint=self.hint)
        return where + text


class CheckError(TopupError):
    """One account could not be checked (or answered with a refusal)."""

    status: Status = Status.BAD_RESPONSE

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class AuthError(CheckError):
    status = Status.AUTH_ERROR


class ExhaustedError(CheckError):
    status = Status.EXHAUSTED


class DisabledError(CheckError):
    status = Status.DISABLED


class RateLimitedError(CheckError):
    status = Status.RATE_LIMITED


class UnavailableError(CheckError):
    status = Status.UNAVAILABLE


class UnreachableError(CheckError):
    status = Status.UNREACHABLE


class EndpointRetiredError(CheckError):
    status = Status.ENDPOINT_RETIRED


class BadResponseError(CheckError):
    status = Status.BAD_RESPONSE
