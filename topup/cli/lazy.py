"""Commands loaded when they run: `topup --help` and a command's start import only what they need.

The root group lists every command from :data:`topup.cli.COMMANDS` (name, module, one-line help)
without importing its module; a command's module is imported when that command is invoked (or
its help asked for), then built by Typer from what the module registered on :data:`app`.
The language is chosen before anything is shown (``--lang``, ``[ui] lang``, ``$TOPUP_LANG``,
the locale), and every help text is translated as the command is built, so help reads in it too.
"""

from __future__ import annotations

import importlib
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer import _click as click  # the click Typer builds on (vendored)
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from topup import i18n
from topup.cli.typer_texts import Context, localise
from topup.i18n import N_

#: Click's own text for ``--help``, translated with the rest.
HELP_OPTION = N_("Show this message and exit.")


@dataclass(frozen=True, slots=True)
class Lazy:
    """A command of the root group: its name, the module under ``topup.cli`` that registers it,
    and its one line of help (marked with ``N_``; translated where it is shown)."""

    name: str
    module: str
    help: str


def _option_value(args: Sequence[str], *names: str) -> str | None:
    """The value of the first ``--name VALUE`` / ``--name=VALUE`` among ``args``."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


#: Where a line could start the ``ui`` table or set a key of it: ``[ui]``, ``[ui.sub]``,
#: ``["ui"]``, ``ui = {...}``, ``ui.lang = ...``.
_UI_MENTION = re.compile(r"""^[ \t]*(\[\[?)?[ \t]*(["']?)ui\2[ \t]*([.=\]])""", re.MULTILINE)
#: The line of the next table header (``[name]`` or ``[[name]]``).
_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def _ui_table(text: str) -> Any:
    """The ``[ui]`` table of a config's text, parsing only its lines when the text has one
    plain ``[ui]`` header and no other mention of ``ui`` (nor a multi-line string, which could
    hide one); else the whole text (a large config parses in tenths of a second)."""
    mentions = list(_UI_MENTION.finditer(text))
    if not mentions:
        return None
    plain = len(mentions) == 1 and mentions[0].group(1, 2, 3) == ("[", "", "]")
    if plain and '"""' not in text and "'''" not in text:
        end = text.find("\n", mentions[0].end())
        start = len(text) if end < 0 else end + 1
        following = _HEADER.search(text, start)
        body = text[start : following.start() if following else len(text)]
        try:
            return tomllib.loads(body)
        except ValueError:
            pass  # e.g. an array of arrays starting a line: read the whole file
    return tomllib.loads(text).get("ui")


def ui_lang(args: Sequence[str]) -> str | None:
    """``[ui] lang`` of the config the command line points at (``--config``, else
    ``$TOPUP_CONFIG``, else the user config file), read without loading the whole config
    (its errors are the command's to report) and, when it can be, without parsing it all
    (:func:`_ui_table`)."""
    explicit = _option_value(args, "--config", "-c") or os.environ.get("TOPUP_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
    else:
        import platformdirs

        path = platformdirs.user_config_path("topup") / "config.toml"
    try:
        ui = _ui_table(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    lang = ui.get("lang") if isinstance(ui, dict) else None
    return lang if isinstance(lang, str) else None


def choose_language(args: Sequence[str]) -> str:
    """Set the run's language from the command line, the config and the environment, for
    topup's texts and Typer's and Click's own (:mod:`topup.cli.typer_texts`)."""
    language = i18n.set_language(i18n.choose(_option_value(args, "--lang"), ui_lang(args)))
    localise()
    return language


class PlainListArgument(TyperArgument):
    """A repeatable argument shown by its name alone (no ``<list[str]>`` type column)."""

    def display_type_rich(self, ctx: click.Context) -> str | None:
        return None


def polish(command: click.Command) -> click.Command:
    """Translate a built command's help texts (recursively) and drop the type column of flags
    and repeatable arguments (``<bool>``, ``<list[str]>``)."""
    command.context_class = Context  # "Usage:" in the run's language
    if command.help:
        command.help = i18n.gettext(command.help)
    if command.short_help:
        command.short_help = i18n.gettext(command.short_help)
    help_option = command.get_help_option(click.Context(command))  # cached on the command
    for param in [*command.params, *([help_option] if help_option else [])]:
        if isinstance(param, TyperOption):
            if param.help:
                param.help = i18n.gettext(param.help)
            if param.is_flag:
                param.metavar = ""
        elif isinstance(param, TyperArgument):
            if param.help:
                param.help = i18n.gettext(param.help)
            if param.nargs != 1:
                param.__class__ = PlainListArgument
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            polish(sub)
    return command


def build(entry: Lazy) -> click.Command:
    """Import ``entry``'s module and build the command it registered on the root app (or, for a
    module that only exposes a Typer app of its own, that app under ``entry.name``)."""
    from topup.cli.app import app

    module = importlib.import_module(f"topup.cli.{entry.module}")
    settings: dict[str, Any] = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    for info in app.registered_commands:
        assert info.callback is not None
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == entry.name:
            return polish(typer.main.get_command_from_info(info, **settings))
    for group_info in app.registered_groups:
        group = typer.main.get_group_from_info(
            group_info, suggest_commands=app.suggest_commands, **settings
        )
        if group.name == entry.name:
            return polish(group)
    own = getattr(module, "app", None)
    if isinstance(own, typer.Typer) and own is not app:
        command = typer.main.get_command(own)
        command.name = entry.name
        return polish(command)
    raise LookupError(f"topup.cli.{entry.module} registers no command {entry.name!r}")


class LazyCommand(TyperCommand):
    """Stands for a command in the root group until it runs: listed by its one line of help,
    built (module imported) by :meth:`make_context`."""

    def __init__(self, entry: Lazy) -> None:
        super().__init__(entry.name, add_help_option=False)
        self.entry = entry

    @property
    def short_help(self) -> str:
        return i18n.gettext(self.entry.help)

    @short_help.setter
    def short_help(self, value: str | None) -> None:
        pass  # click.Command.__init__ sets it; the entry's help is the one shown

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return build(self.entry).make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    """The root group: every command of :data:`topup.cli.COMMANDS`, each built when it runs."""

    context_class = Context

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        from topup.cli import COMMANDS

        self.commands = {entry.name: LazyCommand(entry) for entry in COMMANDS}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        choose_language(args)
        polish(self)  # the root's own help and options, in the language chosen
        lang = _option_value(args, "--lang")
        if lang is not None and i18n.normalize(lang) is None:  # before --help and --version
            raise click.exceptions.BadParameter(
                i18n.gettext("{value!r} is not a language topup speaks (en, zh-CN)").format(
                    value=lang
                ),
                ctx=ctx,
                param=next(
                    (p for p in self.params if isinstance(p, TyperOption) and p.name == "lang"),
                    None,
                ),
            )
        return super().parse_args(ctx, args)
