"""The line `topup status` writes: its placeholders, their values, checking and rendering a
``--format`` or ``--each`` template (:func:`check_template`, :func:`render`).

Values are written by :class:`Text` (symbols and colour, or plain ASCII); per-account and
per-currency placeholders (``{balance[NAME]}``, ``{total[CNY]}``) are mappings that name an
unknown account as an error and an unheld currency as unknown, never zero. The command, reading
the config and the history, is :mod:`topup.cli.status`.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import typer

from topup.attention import label
from topup.display import money
from topup.i18n import _, ngettext
from topup.status import EXIT_FAILED, Entry, Overview

#: Short forms of the currencies whose symbol is unambiguous (others keep their code).
SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}


#: How ``{accounts}`` writes each account unless ``--each`` says otherwise.
DEFAULT_EACH = "{name} {balance}"


class UnknownName(LookupError):
    """A ``{balance[NAME]}`` for an account that is not summarised."""


class Text:
    """How values are written: symbols and colour, or plain ASCII."""

    def __init__(self, plain: bool, colour: bool) -> None:
        self.plain = plain
        self.colour = colour and not plain
        self.sep = "; " if plain else " · "

    def money(self, value: Decimal | None, currency: str | None) -> str:
        if value is None:
            return "?" if self.plain else "—"
        symbol = None if self.plain or currency is None else SYMBOLS.get(currency)
        if symbol is None:
            return money(value, currency)
        text = money(value, None)
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"

    def mark(self, overview: Overview) -> str:
        if self.plain:
            return ""
        if not overview.needing:
            return self._paint("✓", "32")
        return self._paint("⚠", "31" if overview.exit_code == EXIT_FAILED else "33")

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text


def balance(entry: Entry, text: Text) -> str:
    """The last good value: the flat balance, else every currency, else the lowest window."""
    amounts = entry.last_good
    if amounts is None:
        return text.money(None, None)
    if amounts.unlimited:
        return _("unlimited")
    if amounts.balance is not None:
        return text.money(amounts.balance, amounts.currency)
    known = [e for e in amounts.entries() if e.balance is not None]
    if known:
        return " + ".join(text.money(e.balance, e.currency) for e in known)
    window = amounts.lowest_window()
    if window is not None and window.left_percent is not None:
        return _("{window} {percent}% left").format(
            window=window.name, percent=window.left_percent.quantize(Decimal(1))
        )
    return text.money(None, None)


def runway(entry: Entry) -> str:
    if entry.runway_days is None:
        return ""
    return _("{days}d").format(days=entry.runway_days.quantize(Decimal("0.1")))


def reasons(entry: Entry) -> str:
    return ", ".join(label(r) for r in entry.attention.reasons) or _("ok")


#: How many accounts needing attention the line names (the rest: "+N more").
ATTENTION_SHOWN = 3


def status_value(entry: Entry) -> str:
    """The latest check's status value (stable, untranslated); ``never`` before any check."""
    return "never" if entry.status is None else entry.status.value


def attention_item(entry: Entry, text: Text) -> str:
    """``ds-main low ¥3.20``: the name, why, and the balance when money is the matter."""
    parts = [entry.name, reasons(entry)]
    if entry.needs_money and entry.last_good is not None:
        parts.append(balance(entry, text))
        if entry.runway_days is not None:
            parts.append(f"({runway(entry)})")
    return " ".join(parts)


class ByName(Mapping[str, str]):
    """``{balance[NAME]}``: one value per summarised account; an unknown name is an error."""

    def __init__(self, values: dict[str, str]) -> None:
        self.known = values

    def __getitem__(self, name: str) -> str:
        if name not in self.known:
            raise UnknownName(name)
        return self.known[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


class ByCurrency(ByName):
    """``{total[CNY]}``: unknown (not zero) for a currency no account holds."""

    def __init__(self, values: dict[str, str], unknown: str) -> None:
        super().__init__(values)
        self.unknown = unknown

    def __getitem__(self, code: str) -> str:
        return self.known.get(code.upper(), self.unknown)


def fields(overview: Overview, text: Text, each: str) -> dict[str, Any]:
    """The values of every ``--format`` placeholder."""
    needing = overview.needing
    attention = ""
    if needing:
        head = ngettext("{n} needs attention", "{n} need attention", len(needing)).format(
            n=len(needing)
        )
        items = [attention_item(e, text) for e in needing[:ATTENTION_SHOWN]]
        if len(needing) > ATTENTION_SHOWN:
            items.append(_("+{n} more").format(n=len(needing) - ATTENTION_SHOWN))
        attention = _("{head}: {items}").format(head=head, items=text.sep.join(items))
    totals = {c: text.money(v, c) for c, v in overview.totals.items()}
    return {
        "mark": text.mark(overview),
        "attention": attention,
        "needing": len(needing),
        "ok": len(overview.fine),
        "count": len(overview.entries),
        "totals": text.sep.join(totals.values()),
        "total": ByCurrency(totals, text.money(None, None)),
        "accounts": text.sep.join(each.format_map(each_fields(e, text)) for e in overview.entries),
        "balance": ByName({e.name: balance(e, text) for e in overview.entries}),
        "runway": ByName({e.name: runway(e) for e in overview.entries}),
        "status": ByName({e.name: status_value(e) for e in overview.entries}),
        "reasons": ByName({e.name: reasons(e) for e in overview.entries}),
    }


def each_fields(entry: Entry, text: Text) -> dict[str, str]:
    return {
        "name": entry.name,
        "balance": balance(entry, text),
        "runway": runway(entry),
        "status": status_value(entry),
        "reasons": reasons(entry),
        "mark": "" if text.plain else ("⚠" if entry.attention.needed else "✓"),
    }


def default_format(overview: Overview) -> str:
    if overview.needing:
        return _("{mark} {attention} | {ok} ok")
    if overview.totals:
        return _("{mark} {ok} ok · {totals}")
    return _("{mark} {ok} ok")


def render(overview: Overview, fmt: str | None, each: str, text: Text) -> str:
    """The line; raises :class:`typer.BadParameter` for an unknown placeholder or name."""
    template = fmt if fmt is not None else default_format(overview).replace(" · ", text.sep)
    try:
        values = fields(overview, text, each)
        line = template.format_map(values)
    except UnknownName as exc:
        raise typer.BadParameter(
            _("no account named {name!r} in the summary").format(name=str(exc.args[0]))
        ) from None
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        allowed = ", ".join("{" + n + "}" for n in fields_names())
        raise typer.BadParameter(
            _("{problem} (placeholders: {allowed}; see topup status --help)").format(
                problem=str(exc), allowed=allowed
            )
        ) from None
    return " ".join(line.split()) if fmt is None else line.strip()


def fields_names() -> list[str]:
    return [
        "mark",
        "attention",
        "needing",
        "ok",
        "count",
        "totals",
        "total[CUR]",
        "accounts",
        "balance[NAME]",
        "runway[NAME]",
        "status[NAME]",
        "reasons[NAME]",
    ]


#: The placeholders that stand for one value per account or currency: they need ``[KEY]``.
KEYED = {"total": "total[CUR]", "balance": "balance[NAME]", "runway": "runway[NAME]"}
KEYED |= {"status": "status[NAME]", "reasons": "reasons[NAME]"}
#: The placeholders of ``--each``.
EACH_NAMES = {"name", "balance", "runway", "status", "reasons", "mark"}


def _fields_of(template: str) -> list[tuple[str, str]]:
    """Every ``(field, format spec)`` of ``template`` (nested specs included); raises
    :class:`typer.BadParameter` for a template ``str.format`` cannot read (a lone brace)."""
    found: list[tuple[str, str]] = []
    try:
        for _literal, field, spec, _conv in string.Formatter().parse(template):
            if field is not None:
                found.append((field, spec or ""))
                found += _fields_of(spec or "")
    except ValueError as exc:
        raise typer.BadParameter(
            _(
                "{template!r} is not a valid template: {problem} (write {{{{ and }}}} for "
                "literal braces)"
            ).format(template=template, problem=brace_problem(str(exc)))
        ) from None
    return found


def brace_problem(python_says: str) -> str:
    """What is wrong with a template's braces, in our words (``str.format`` says it in English)."""
    if "'}'" in python_says and "Single" in python_says:
        return _("a }} has no {{ before it").format()
    if "'{'" in python_says or "expected '}'" in python_says:
        return _("a {{ has no }} after it").format()
    return _("its braces do not pair up")


def check_template(value: str | None, names: set[str], keyed: dict[str, str]) -> set[str]:
    """The placeholders ``value`` uses; raises :class:`typer.BadParameter` for an unknown
    one, a per-account one without its ``[NAME]``, an attribute or an index on a plain value."""
    if value is None:
        return set()
    used: set[str] = set()
    for field, _spec in _fields_of(value):
        root, sep, rest = field.partition("[")
        root = root.split(".", 1)[0]
        if root not in names:
            allowed = ", ".join(sorted("{" + n + "}" for n in names))
            raise typer.BadParameter(
                _("unknown placeholder {{{name}}} (allowed: {allowed})").format(
                    name=root, allowed=allowed
                )
            )
        if root in keyed and (not sep or not rest.endswith("]") or "[" in rest):
            raise typer.BadParameter(
                _("{{{name}}} needs a key: write {{{form}}}").format(name=root, form=keyed[root])
            )
        if "." in field or (sep and root not in keyed):
            raise typer.BadParameter(
                _("{{{field}}}: only {{{name}}} itself can be used here").format(
                    field=field, name=root
                )
            )
        used.add(root)
    return used
