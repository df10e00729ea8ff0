"""A ``[[platforms]]`` table: one custom platform's recipe, validated into a :class:`Recipe`.

::

    [[platforms]]
    name = "myrelay"                       # then: provider = "myrelay" in [[accounts]]
    title = "My Relay"
    base_url = "https://relay.example.com" # default; an account may override
    method = "GET"                         # or "POST" with body = { ... } sent as JSON
    path = "/api/balance"
    auth = "bearer"                        # bearer | header:X-Api-Key | query:key | none
    fields = ["api_key"]                   # the credential field auth sends
    success = "success == `true`"          # optional condition; else HTTP 2xx is success
    message = "message"                    # where the error text is
    balance = "data.balance"               # JMESPath expressions
    used = "data.used"                     # optional, like granted and paid
    currency = "CNY"                       # a fixed code, or currency_path = "data.currency"
    divisor = "500000"                     # optional unit conversion, exact Decimal
    unlimited = "data.unlimited == `true`" # optional

Every problem is reported through ``error(message, hint, key=...)``, which locates it at the
key's line in the file the table came from (:mod:`topup.custom.loading`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from topup.account_table import ACCOUNT_KEYS, CURRENCY
from topup.config_lines import suggest
from topup.config_values import decimal_setting
from topup.credentials import ErrorAt
from topup.custom.expressions import Expression, ExpressionError, compile_expression
from topup.i18n import gettext as _

__all__ = ["AMOUNTS", "CONDITIONS", "RECIPE_KEYS", "Auth", "Recipe", "parse_recipe"]

#: Amount expressions, in the order they are read; ``balance`` is required.
AMOUNTS = ("balance", "used", "granted", "paid")
#: Condition expressions (true or false).
CONDITIONS = ("success", "unlimited")
#: Every key a ``[[platforms]]`` table may have.
RECIPE_KEYS = frozenset(
    {
        "name",
        "title",
        "base_url",
        "method",
        "path",
        "body",
        "auth",
        "fields",
        "message",
        "currency",
        "currency_path",
        "divisor",
        *AMOUNTS,
        *CONDITIONS,
    }
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_FIELD = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_HEADER = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")
_QUERY = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
_URL = re.compile(r"^https?://[^/\s]+")
_AUTH_STYLES = ("bearer", "header:NAME", "query:NAME", "none")


def _fields_example() -> str:
    return _("e.g. {example}").format(example='fields = ["api_key"]')


@dataclass(frozen=True, slots=True)
class Auth:
    """How the credential is sent: ``bearer``, a header, a query parameter, or not at all."""

    style: str  # "bearer" | "header" | "query" | "none"
    name: str | None = None

    def __str__(self) -> str:
        return self.style if self.name is None else f"{self.style}:{self.name}"


@dataclass(frozen=True, slots=True)
class Recipe:
    """A custom platform: where its balance is and how to read it."""

    name: str
    title: str
    path: str
    auth: Auth
    balance: Expression
    base_url: str | None = None
    method: str = "GET"
    body: Mapping[str, Any] | None = None
    #: The credential fields (secret); auth sends the first. Empty only with ``auth = "none"``.
    fields: tuple[str, ...] = ()
    success: Expression | None = None
    message: Expression | None = None
    used: Expression | None = None
    granted: Expression | None = None
    paid: Expression | None = None
    unlimited: Expression | None = None
    currency: str | None = None
    currency_path: Expression | None = None
    divisor: Decimal | None = None
    #: Where the recipe was declared, for people: ``recipes/relay.toml:3``.
    origin: str = field(default="", compare=False)

    def expressions(self) -> dict[str, Expression]:
        """The expressions it declares, by key, in the order they are evaluated."""
        keys = ("success", "message", "unlimited", *AMOUNTS, "currency_path")
        found = {key: getattr(self, key) for key in keys}
        return {key: e for key, e in found.items() if e is not None}

    @property
    def currency_rule(self) -> str:
        """One line for `topup providers`."""
        if self.currency_path is not None:
            rule = f"from {self.currency_path.text!r}"
        else:
            rule = self.currency or "unknown (set currency on the account)"
        if self.divisor is not None:
            rule += f"; amounts divided by {self.divisor}"
        return f"{rule} (custom platform{', ' + self.origin if self.origin else ''})"


def parse_recipe(raw: Any, error: ErrorAt, *, origin: str = "") -> Recipe:
    """One ``[[platforms]]`` table, validated; ``origin`` says where it was declared."""
    if not isinstance(raw, dict):
        raise error(_("a platform must be a table"), _("write it under a [[platforms]] header"))
    for key in raw:
        if key not in RECIPE_KEYS:
            hint = suggest(key, RECIPE_KEYS) or _("allowed: {keys}").format(
                keys=", ".join(sorted(RECIPE_KEYS))
            )
            raise error(
                _("unknown key {key} in [[platforms]]").format(key=repr(key)), hint, key=key
            )
    name = _text(raw, "name", error, required=True)
    assert name is not None
    if not _NAME.match(name):
        raise error(
            _("platform name {name} is not usable as a provider name").format(name=repr(name)),
            _("lower-case letters, digits, - and _ (e.g. {example})").format(
                example='name = "myrelay"'
            ),
            key="name",
        )
    path = _text(raw, "path", error, required=True)
    assert path is not None
    if not path.startswith("/") or any(ch.isspace() for ch in path):
        raise error(
            _("{key} must start with / and hold no spaces").format(key="path"),
            _("e.g. {example}").format(example='path = "/api/balance"'),
            key="path",
        )
    base_url = _text(raw, "base_url", error)
    if base_url is not None:
        if not _URL.match(base_url):
            raise error(
                _("{key} must be an http(s) URL").format(key="base_url"),
                _("e.g. {example}").format(example='base_url = "https://relay.example.com"'),
                key="base_url",
            )
        base_url = base_url.rstrip("/")
    method = (_text(raw, "method", error) or "GET").upper()
    if method not in ("GET", "POST"):
        raise error(
            _("{key} must be GET or POST, not {value}").format(key="method", value=repr(method)),
            key="method",
        )
    body = raw.get("body")
    if body is not None:
        if method != "POST":
            raise error(
                _("{key} is only sent with {setting}").format(
                    key="body", setting='method = "POST"'
                ),
                key="body",
            )
        if not isinstance(body, dict):
            raise error(
                _("{key} must be a table").format(key="body"),
                _("e.g. {example}").format(example='body = { scope = "all" }'),
                key="body",
            )
        _check_json(body, error)
    auth = _auth(raw, error)
    fields = _fields(raw, auth, error, ACCOUNT_KEYS)
    currency = _text(raw, "currency", error)
    if currency is not None:
        if not CURRENCY.match(currency.upper()):
            raise error(
                _("{key} must be an ISO code (or a unit: POINTS, CREDITS...)").format(
                    key="currency"
                ),
                _("e.g. {example}, or {other}").format(
                    example='currency = "CNY"', other='currency_path = "data.currency"'
                ),
                key="currency",
            )
        currency = currency.upper()
    if currency is not None and "currency_path" in raw:
        raise error(
            _("give {one} or {other}, not both").format(one="currency", other="currency_path"),
            key="currency_path",
        )
    expressions = {
        key: _expression(raw, key, error)
        for key in ("success", "message", "unlimited", *AMOUNTS, "currency_path")
    }
    balance = expressions.pop("balance")
    if balance is None:
        raise error(
            _("no balance expression"),
            _("where the balance is in the answer, e.g. {example}").format(
                example='balance = "data.balance"'
            ),
        )
    return Recipe(
        name=name,
        title=_text(raw, "title", error) or name,
        path=path,
        auth=auth,
        balance=balance,
        base_url=base_url,
        method=method,
        body=body,
        fields=fields,
        currency=currency,
        divisor=decimal_setting(raw, "divisor", error, positive=True),
        origin=origin,
        **expressions,
    )


def _text(
    raw: Mapping[str, Any], key: str, error: ErrorAt, *, required: bool = False
) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            example = {"name": '"myrelay"', "path": '"/api/balance"'}.get(key, '"..."')
            raise error(
                _("the [[platforms]] table has no {key}").format(key=key),
                _("add {example}").format(example=f"{key} = {example}"),
            )
        return None
    if not isinstance(value, str) or not value.strip():
        raise error(_("{key} must be a non-empty string").format(key=key), key=key)
    return value.strip()


def _auth(raw: Mapping[str, Any], error: ErrorAt) -> Auth:
    text = _text(raw, "auth", error) or "bearer"
    style, _colon, name = text.partition(":")
    style = style.strip().lower()
    name = name.strip()
    if style in ("bearer", "none") and not name:
        return Auth(style)
    if style == "header" and _HEADER.match(name):
        return Auth(style, name)
    if style == "query" and _QUERY.match(name):
        return Auth(style, name)
    if style in ("header", "query"):
        example = "header:X-Api-Key" if style == "header" else "query:key"
        raise error(
            _("auth {value} needs a valid {style} name after the colon").format(
                value=repr(text), style=style
            ),
            _("e.g. {example}").format(example=f'auth = "{example}"'),
            key="auth",
        )
    hint = suggest(style, ("bearer", "header", "query", "none"))
    raise error(
        _("unknown auth style {value}").format(value=repr(text)),
        (f"{hint}; " if hint else "") + _("one of: {names}").format(names=", ".join(_AUTH_STYLES)),
        key="auth",
    )


def _fields(
    raw: Mapping[str, Any], auth: Auth, error: ErrorAt, reserved: frozenset[str]
) -> tuple[str, ...]:
    value = raw.get("fields", [] if auth.style == "none" else ["api_key"])
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        raise error(
            _("{key} must be a list of names").format(key="fields"), _fields_example(), key="fields"
        )
    for name in value:
        if not _FIELD.match(name):
            raise error(
                _("field name {name} is not usable").format(name=repr(name)),
                _("e.g. {example}").format(example="api_key, access_token"),
                key="fields",
            )
        if name in reserved:
            raise error(
                _("field name {name} is a key every account has").format(name=repr(name)),
                _("name the credential, e.g. {example}").format(example="api_key"),
                key="fields",
            )
    if auth.style == "none":
        if value:
            raise error(
                _("{setting} sends no credential: leave {key} out").format(
                    setting='auth = "none"', key="fields"
                ),
                key="fields",
            )
        return ()
    if len(value) != 1:
        raise error(
            _("{setting} sends one credential: list exactly one field").format(
                setting=f"auth = {str(auth)!r}"
            ),
            _fields_example(),
            key="fields",
        )
    return (value[0],)


def _expression(raw: Mapping[str, Any], key: str, error: ErrorAt) -> Expression | None:
    text = _text(raw, key, error)
    if text is None:
        return None
    try:
        return compile_expression(text)
    except ExpressionError as exc:
        raise error(
            _("{key} is not a valid JMESPath expression: {error}").format(key=key, error=exc),
            _("see {url}").format(url="https://jmespath.org/tutorial.html"),
            key=key,
        ) from None


def _check_json(value: Any, error: ErrorAt) -> None:
    """A body is sent as JSON: strings, whole numbers, booleans, arrays and tables only."""
    if isinstance(value, dict):
        for item in value.values():
            _check_json(item, error)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, error)
    elif not isinstance(value, str | int | bool):
        what = _("a number with a fraction") if isinstance(value, Decimal) else type(value).__name__
        raise error(
            _("{key} holds {what}, which is not sent exactly as JSON").format(
                key="body", what=what
            ),
            _("write it as a string, or a whole number"),
            key="body",
        )
