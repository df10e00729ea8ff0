"""JMESPath expressions of a recipe: compiled at config time, evaluated exactly at run time.

Answers are parsed with ``parse_float=Decimal`` (:func:`topup.platforms.responses.parse_object`),
so the numbers an expression sees are ``int`` or ``Decimal``, never ``float``. JMESPath's own
functions only know ``int``/``float``: :class:`ExactFunctions` teaches them ``Decimal`` (``sum``,
``abs``, ``max``... stay exact) and makes ``to_number`` parse with ``Decimal``; float literals
written in an expression (`` `0.5` ``) become ``Decimal`` when it is compiled. Unknown function
names are refused at config time, not on the first answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import jmespath
from jmespath import exceptions as jmespath_errors
from jmespath.functions import Functions, signature

from topup.config_lines import suggest
from topup.errors import BadResponseError
from topup.sanitize import platform_text

__all__ = ["Expression", "ExpressionError", "compile_expression", "shown"]


class ExactFunctions(Functions):
    """JMESPath's functions, with ``Decimal`` as a number."""

    def _get_allowed_pytypes(self, types: list[str]) -> tuple[list[str], list[Any]]:
        allowed, subtypes = super()._get_allowed_pytypes(types)  # type: ignore[misc]
        if "float" in allowed:
            allowed.append("Decimal")
        subtypes = [(*s, "Decimal") if "float" in s else s for s in subtypes]
        return allowed, subtypes

    def _convert_to_jmespath_type(self, pyobject: str) -> str:
        if pyobject == "Decimal":
            return "number"
        return str(super()._convert_to_jmespath_type(pyobject))  # type: ignore[misc]

    @signature({"types": []})
    def _func_to_number(self, arg: Any) -> int | Decimal | None:
        if isinstance(arg, bool) or arg is None or isinstance(arg, list | dict):
            return None
        if isinstance(arg, int | Decimal):
            return arg
        try:
            number = Decimal(str(arg).strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None


_OPTIONS = jmespath.Options(custom_functions=ExactFunctions())


class ExpressionError(ValueError):
    """An expression that does not compile, in one line for a config error."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled JMESPath expression and the text it was written as."""

    text: str
    parsed: Any

    def search(self, data: Any) -> Any:
        """The value the expression finds in ``data`` (None: nothing); a failure of the
        expression on this answer (a function given the wrong type) is a bad response."""
        try:
            return self.parsed.search(data, options=_OPTIONS)
        except jmespath_errors.JMESPathError as exc:
            reason = platform_text(str(exc).replace("\n", " "), 160)
            raise BadResponseError(f"{self.text!r} failed on this answer: {reason}") from None


def compile_expression(text: str) -> Expression:
    """``text`` compiled, or :class:`ExpressionError` saying what is wrong and where."""
    try:
        parsed = jmespath.compile(text)
    except jmespath_errors.JMESPathError as exc:
        raise ExpressionError(_reason(exc)) from None
    _check_tree(parsed.parsed)
    return Expression(text, parsed)


def _reason(exc: jmespath_errors.JMESPathError) -> str:
    if isinstance(exc, jmespath_errors.EmptyExpressionError):
        return "it is empty"
    detail = str(getattr(exc, "message", "") or str(exc).split(":\n")[0])
    detail = re.sub(r"^(Invalid|Bad) jmespath expression: ", "", detail, flags=re.IGNORECASE)
    position = getattr(exc, "lex_position", None)
    where = f" at character {position + 1}" if isinstance(position, int) else ""
    return f"{detail.rstrip(':')}{where}"


def _check_tree(node: Any) -> None:
    """Refuse unknown functions; turn float literals into Decimals (the tree is mutable)."""
    if not isinstance(node, dict):
        return
    if node.get("type") == "function_expression":
        name = node.get("value")
        if name not in ExactFunctions.FUNCTION_TABLE:
            known = sorted(ExactFunctions.FUNCTION_TABLE)
            hint = suggest(str(name), known) or f"known: {', '.join(known)}"
            raise ExpressionError(f"unknown function {name}() ({hint})")
    if node.get("type") == "literal":
        node["value"] = _exact(node.get("value"))
    for child in node.get("children", ()):
        _check_tree(child)


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    return value


_MARK = "\x00n:"


def shown(value: Any, limit: int = 160) -> str:
    """A value an expression found or an answer held, as compact JSON text that is safe to
    print: strings sanitised (:func:`~topup.sanitize.platform_text`), numbers exact."""
    return platform_text(as_json(value), limit) if limit else as_json(value)


def as_json(value: Any, indent: int | None = None) -> str:
    """JSON text of a parsed answer with its ``Decimal`` numbers written exactly; every
    string passes through :func:`~topup.sanitize.platform_text` first."""
    text = json.dumps(
        _marked(value),
        ensure_ascii=False,
        indent=indent,
        separators=None if indent else (",", ":"),
    )
    # A marker string can only come from _marked: sanitised text holds no control characters.
    return re.sub(r'"\\u0000n:([^"]*)"', r"\1", text)


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{_MARK}{value}" if value.is_finite() else str(value)
    if isinstance(value, float):
        return f"{_MARK}{value!r}"
    if isinstance(value, str):
        return platform_text(value, 200)
    if isinstance(value, list):
        return [_marked(v) for v in value]
    if isinstance(value, dict):
        return {platform_text(str(k), 80): _marked(v) for k, v in value.items()}
    return value
