"""The platform a recipe describes: a :class:`~topup.platforms.Provider` like any adapter.

:func:`provider_class` builds a :class:`RecipeProvider` subclass from a
:class:`~topup.custom.recipe.Recipe`; registered under the recipe's name, ``provider = "myrelay"``
works in ``[[accounts]]`` and the runner, history, alerts, dashboard and metrics treat it like a
built-in platform. Its :meth:`~RecipeProvider.check` is sans-I/O like every adapter: one request
(the recipe's method, path and auth style), then the answer read through the shared helpers of
:mod:`topup.platforms.responses` and the recipe's expressions. Anything the expressions do not
find, or find in the wrong shape, is ``bad_response`` naming the expression and what was there:
never a zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from topup.account import Account
from topup.account_table import CURRENCY
from topup.custom.expressions import Expression, shown
from topup.custom.recipe import Recipe
from topup.errors import AuthError, BadResponseError
from topup.model import Balance
from topup.platforms.base import CheckFlow, CredentialField, Provider
from topup.platforms.bearer import AUTH_STATUSES, retired
from topup.platforms.responses import (
    body_text,
    decimal_field,
    parse_object,
    raise_for_transient,
)
from topup.sanitize import TEXT_LIMIT, platform_text
from topup.secrets import SECRET_FIELDS

__all__ = ["Extracted", "Observer", "RecipeProvider", "provider_class"]


@dataclass(frozen=True, slots=True)
class Extracted:
    """What one expression found in an answer, for `topup platforms test`."""

    key: str
    expression: str
    found: str
    #: How the value was read (``÷ 500000 = 12.5``), or why it was refused.
    meaning: str = ""


class Observer:
    """Told each step of a check; `topup platforms test` prints them (the default: nothing)."""

    def request(self, request: httpx.Request) -> None:
        """The request about to be sent."""

    def response(self, response: httpx.Response) -> None:
        """The answer the runner received (after its retries)."""

    def extracted(self, step: Extracted) -> None:
        """One expression evaluated."""


class RecipeProvider(Provider):
    """A platform declared by a recipe; see :func:`provider_class`."""

    recipe: ClassVar[Recipe]
    observer: ClassVar[Observer] = Observer()

    def request(self, account: Account) -> httpx.Request:
        recipe = self.recipe
        headers = {"Accept": "application/json"}
        params: dict[str, str] = {}
        secret = account.secret(recipe.fields[0]) if recipe.fields else None
        auth = recipe.auth
        if secret is not None and auth.style == "bearer":
            headers["Authorization"] = f"Bearer {secret}"
        elif secret is not None and auth.style == "header" and auth.name:
            headers[auth.name] = secret
        elif secret is not None and auth.style == "query" and auth.name:
            params[auth.name] = secret
        return httpx.Request(
            recipe.method,
            self.url(account, recipe.path),
            headers=headers,
            params=params or None,
            json=dict(recipe.body) if recipe.body is not None else None,
        )

    def check(self, account: Account) -> CheckFlow:
        request = self.request(account)
        self.observer.request(request)
        response = yield request
        self.observer.response(response)
        return read_answer(self.recipe, account, response, self.observer.extracted)


def provider_class(recipe: Recipe) -> type[RecipeProvider]:
    """A :class:`RecipeProvider` subclass for ``recipe`` (register it to use it)."""
    fields = tuple(
        CredentialField(name, f"sent as {recipe.auth} to {recipe.path}") for name in recipe.fields
    )
    attributes: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"{recipe.title}: a custom platform ({recipe.origin or 'config'}).",
        "name": recipe.name,
        "title": recipe.title,
        "default_base_url": recipe.base_url,
        "fields": fields,
        "modes": (frozenset(recipe.fields),) if recipe.fields else (),
        "currency_rule": recipe.currency_rule,
        "recipe": recipe,
    }
    return type(f"Recipe[{recipe.name}]", (RecipeProvider,), attributes)


def read_answer(
    recipe: Recipe,
    account: Account,
    response: httpx.Response,
    extracted: Callable[[Extracted], None],
) -> Balance:
    """The balance in ``response`` as the recipe reads it, or a typed error."""
    raise_for_transient(response, retired=retired(recipe.title, recipe.path))
    status = response.status_code
    reader = _Reader(recipe, response, extracted)
    if status in AUTH_STATUSES:
        what = recipe.fields[0] if recipe.fields else "request"
        raise AuthError(f"{recipe.title} refused the {what} (HTTP {status}): {reader.message()}")
    if not 200 <= status < 300:
        raise BadResponseError(f"unexpected HTTP {status}: {reader.message()}")
    reader.parse()  # a 2xx answer is a JSON object, before any expression reads it
    if recipe.success is not None and not reader.condition("success", recipe.success):
        raise BadResponseError(
            f"{recipe.title} reported a failure ({recipe.success.text} is not true): "
            f"{reader.message()}"
        )
    currency = account.currency or reader.currency()
    if recipe.unlimited is not None and reader.condition("unlimited", recipe.unlimited):
        return Balance(currency, unlimited=True, used=reader.amount("used", account))
    return Balance(
        currency,
        balance=reader.amount("balance", account),
        used=reader.amount("used", account),
        granted=reader.amount("granted", account),
        paid=reader.amount("paid", account),
    )


class _Reader:
    """Evaluates a recipe's expressions on one answer, reporting each to ``extracted``."""

    def __init__(
        self, recipe: Recipe, response: httpx.Response, extracted: Callable[[Extracted], None]
    ) -> None:
        self.recipe = recipe
        self.response = response
        self.extracted = extracted
        self._body: dict[str, Any] | None = None

    def parse(self) -> dict[str, Any]:
        """The answer as a JSON object (exact numbers, secret fields dropped)."""
        if self._body is None:
            self._body = parse_object(self.response)
        return self._body

    def search(self, key: str, expression: Expression) -> Any:
        body = self.parse()
        try:
            value = expression.search(body)
        except BadResponseError as exc:
            self.extracted(Extracted(key, expression.text, "(failed)", exc.message))
            raise BadResponseError(f"{key} = {exc.message}") from None
        return value

    def report(self, key: str, expression: Expression, value: Any, meaning: str = "") -> None:
        self.extracted(Extracted(key, expression.text, shown(value), meaning))

    def message(self) -> str:
        """The failure's text: the ``message`` expression's string, else the body's own."""
        expression = self.recipe.message
        if expression is not None:
            try:
                value = self.search("message", expression)
            except BadResponseError:  # not JSON, or the expression failed: the body's own text
                value = None
            if value is not None:
                self.report("message", expression, value)
                text = value if isinstance(value, str) else shown(value)
                return platform_text(text, TEXT_LIMIT) or "(empty message)"
        return body_text(self.response)

    def condition(self, key: str, expression: Expression) -> bool:
        value = self.search(key, expression)
        if value is None or isinstance(value, bool):
            self.report(key, expression, value, "" if value is not None else "found nothing: false")
            return bool(value)
        self.report(key, expression, value, "not true or false")
        raise BadResponseError(
            f"{key} = {expression.text!r} gave {shown(value, 60)}, not true or false"
            " (compare it, e.g. code == `0`)"
        )

    def amount(self, key: str, account: Account) -> Decimal | None:
        expression: Expression | None = getattr(self.recipe, key)
        if expression is None:
            return None
        value = self.search(key, expression)
        if value is None:
            self.report(key, expression, value, "found nothing")
            raise BadResponseError(
                f"{key} = {expression.text!r} found nothing in the answer"
                f"{_dropped_hint(expression)}: {shown(self.parse(), 200)}"
            )
        try:
            number = decimal_field({expression.text: value}, expression.text)
        except BadResponseError as exc:
            self.report(key, expression, value, "not a number")
            raise BadResponseError(f"{key} = {exc.message}") from None
        assert number is not None
        divisor = account.quota_per_unit or self.recipe.divisor
        if divisor is None:
            self.report(key, expression, value)
            return number
        result = number / divisor
        self.report(key, expression, value, f"÷ {divisor} = {result}")
        return result

    def currency(self) -> str | None:
        expression = self.recipe.currency_path
        if expression is None:
            return self.recipe.currency
        value = self.search("currency_path", expression)
        if isinstance(value, str) and CURRENCY.match(value.strip().upper()):
            self.report("currency_path", expression, value)
            return value.strip().upper()
        self.report("currency_path", expression, value, "not a currency code")
        raise BadResponseError(
            f"currency_path = {expression.text!r} gave {shown(value, 60)}, not a currency code"
        )


def _dropped_hint(expression: Expression) -> str:
    """Answers lose fields named like credentials (``key``, ``token``...) before expressions
    see them: say so when the expression names one."""
    names = {part.strip("\"'").lower() for part in _identifiers(expression.text)}
    dropped = sorted(names & SECRET_FIELDS)
    if not dropped:
        return ""
    return f" (fields named {', '.join(dropped)} are dropped from answers: they may hold secrets)"


def _identifiers(text: str) -> list[str]:
    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\"[^\"]*\"", text)
