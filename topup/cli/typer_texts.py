"""Typer's and its (vendored) Click's own texts in the run's language, and option help that
folds instead of being cut.

Typer's help panels and error box read module-level texts of :mod:`typer.rich_utils`
("Options", "Error", "Try '...' for help."), which Typer documents as settable; its other texts
("No such command ...") go through :func:`gettext.gettext`, looked up in :mod:`typer.core` when
they are shown, so it is given our lookup. Click's usage line ("Usage:") comes from the
context's help formatter (:class:`Context` here), and its error messages ("Invalid value for
...") are written in English by the exceptions themselves: :func:`message` translates their
known shapes before the error box shows them. The msgids are marked here (the cli catalog).

Option help in a table column is folded when one "word" is longer than the column (Chinese has
no spaces between words, so a whole sentence is one word and Rich would cut it with "…").

:mod:`typer.rich_utils` costs tens of milliseconds to import, so it is localised only when it
is needed: a language other than English, or an earlier run in this process that localised it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import typer.core
from typer import _click as click

from topup import i18n
from topup.i18n import N_

#: The texts of :mod:`typer.rich_utils`, by the name of the constant holding each.
RICH_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}
#: Texts :mod:`typer.core` passes through gettext (shown in its own words).
CORE_TEXTS = (
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("Aborted!"),
    N_("Usage:"),
)
#: Typer's checks of option values (pydantic's messages), marked for the catalog.
PYDANTIC_BOUNDS = (
    N_("Input should be greater than or equal to {limit}"),
    N_("Input should be greater than {limit}"),
    N_("Input should be less than or equal to {limit}"),
    N_("Input should be less than {limit}"),
)
PYDANTIC_TEXTS = (
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid integer, got a number with a fractional part"),
    N_("Input should be a valid boolean, unable to interpret input"),
)
#: Click's error messages (written in English by the exceptions): their shapes, translated.
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), text)
    for pattern, text in (
        (
            r"(?P<message>.*)\. Did you mean (?P<suggestions>.*)\?",
            N_("{message}. Did you mean {suggestions}?"),
        ),
        (
            r"(?P<message>.*) \(Possible options: (?P<options>.*)\)",
            N_("{message} (possible options: {options})"),
        ),
        (
            r"Invalid value for (?P<hint>.+?): (?P<message>.*)",
            N_("Invalid value for {hint}: {message}"),
        ),
        (r"Invalid value: (?P<message>.*)", N_("Invalid value: {message}")),
        # Typer checks option values with pydantic, whose messages these are.
        *(
            (re.escape(text).replace(re.escape("{limit}"), r"(?P<limit>\S+)"), text)
            for text in PYDANTIC_BOUNDS
        ),
        *((re.escape(text), text) for text in PYDANTIC_TEXTS),
        (r"No such option: (?P<name>.*)", N_("No such option: {name}")),
        (r"Missing argument (?P<name>.*)\.", N_("Missing argument {name}.")),
        (r"Missing option (?P<name>.*)\.", N_("Missing option {name}.")),
        (
            r"Got unexpected extra arguments? \((?P<args>.*)\)",
            N_("Got unexpected extra arguments ({args})"),
        ),
        (
            r"Option (?P<name>'.*') requires (?:an argument|\d+ arguments)\.",
            N_("Option {name} requires a value."),
        ),
    )
)


def message(text: str) -> str:
    """A Click error message in the reader's language (as is when its shape is unknown)."""
    for pattern, translated in MESSAGES:
        found = pattern.fullmatch(text)
        if found:
            parts = {k: message(v) if k == "message" else v for k, v in found.groupdict().items()}
            return i18n.gettext(translated).format(**parts)
    return text


class Formatter(click.HelpFormatter):
    """Click's help formatter, with "Usage:" translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = i18n.gettext("Usage:") + " "
        super().write_usage(prog, args, prefix)


class Context(click.Context):
    """The context of every topup command: its usage line reads in the run's language."""

    formatter_class = Formatter


def _folding(original: Callable[..., Any]) -> Callable[..., Any]:
    def parameter_help(**kwargs: Any) -> Any:
        from rich.text import Text

        shown = original(**kwargs)
        for item in [shown, *getattr(shown, "renderables", ())]:
            if isinstance(item, Text):
                item.overflow = "fold"
        return shown

    parameter_help.folding = True  # type: ignore[attr-defined]
    return parameter_help


#: Chinese, Japanese and Korean characters and their punctuation: a line may break between two.
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
#: Punctuation that never starts a line (kept with what it follows), and that never ends one.
_CLOSING = "，。、；：！？）」』】》〉”’"
_OPENING = "（「『【《〈“‘"
_WORD = re.compile(rf"\s*[{_OPENING}]*(?:[{_CJK}]|[^\s{_CJK}]+)[{_CLOSING}]*\s*")


def _words(text: str) -> Any:
    """Rich's words (:func:`rich._wrap.words`), where each CJK character is a word of its own:
    Chinese folds between characters and at spaces, never inside an ASCII word (``{accounts}``,
    ``VACUUM``)."""
    position = 0
    match = _WORD.match(text, position)
    while match is not None and match.end() > position:
        yield match.start(), match.end(), match.group(0)
        position = match.end()
        match = _WORD.match(text, position)


def _showing_translated(original: Callable[[click.ClickException], None]) -> Callable[..., None]:
    def format_error(error: click.ClickException) -> None:
        shown = message(error.format_message())
        error.format_message = lambda: shown  # type: ignore[method-assign]
        original(error)

    format_error.translating = True  # type: ignore[attr-defined]
    return format_error


def localise() -> None:
    """Give Typer's and Click's texts the current language (see the module docstring)."""
    typer.core._ = i18n.gettext  # type: ignore[attr-defined]
    if "typer.rich_utils" not in sys.modules and i18n.current() == "en":
        return  # not imported yet: its texts are English already
    import rich._wrap
    import typer.rich_utils as rich_utils

    rich._wrap.words = _words  # fold Chinese between characters
    for name, text in RICH_TEXTS.items():
        setattr(rich_utils, name, i18n.gettext(text))
    for name in ("_get_parameter_help", "_make_command_help"):  # option and command help
        if not getattr(getattr(rich_utils, name), "folding", False):
            setattr(rich_utils, name, _folding(getattr(rich_utils, name)))
    if not getattr(rich_utils.rich_format_error, "translating", False):
        rich_utils.rich_format_error = _showing_translated(rich_utils.rich_format_error)
