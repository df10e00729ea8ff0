"""The questions of an interactive `topup init`: platforms, then per account its name, base URL,
credentials (hidden) and settings, each account tested at once.

The questions go through a :class:`Prompts` object, so they can be answered on a terminal
(:func:`terminal_prompts`: the platform's key is read through :mod:`getpass`, never echoed) or
from any text stream (:func:`stream_prompts`: tests, answers piped in). A pasted key becomes a
:class:`~topup.starter.Draft` secret written to its own 0600 file; ``env:NAME`` is kept as it is.
Every account is validated by the config's own :func:`~topup.config.build_account` and tested by
the caller's ``test`` (the real check) before anything is written.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from topup.account import Account
from topup.config import build_account
from topup.config_lines import suggest
from topup.errors import ConfigError
from topup.model import CheckResult
from topup.platforms import CredentialField, Provider, all_providers
from topup.secrets import Secret
from topup.starter import Draft, secret_file, unique_name

#: What the caller does to test an account at once (the real check; it shows the result).
AccountCheck = Callable[[Account], CheckResult]
_ENV_REFERENCE = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]{0,127}$")


class Cancelled(Exception):
    """The user stopped (Ctrl-C, Ctrl-D, or the answers ran out): nothing is written."""


@dataclass
class Prompts:
    """Asks questions on ``console`` and reads the answers with ``read`` (visible) and
    ``read_hidden`` (never echoed). ``echo``: repeat visible answers (a stream shows nothing)."""

    console: Console
    read: Callable[[], str]
    read_hidden: Callable[[], str]
    echo: bool = False

    def ask(self, question: str, default: str | None = None) -> str:
        shown = f" [dim]\\[{escape(default)}][/]" if default else ""
        self.console.print(f"[bold]{escape(question)}[/]{shown}: ", end="")
        answer = self._answer(self.read).strip()
        if self.echo:
            self.console.print(escape(answer), highlight=False)
        return answer or (default or "")

    def ask_hidden(self, question: str) -> str:
        self.console.print(f"[bold]{escape(question)}[/] [dim](hidden)[/]: ", end="")
        answer = self._answer(self.read_hidden).strip()
        if self.echo:
            self.console.print("[dim](received)[/]" if answer else "")
        return answer

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False)

    @staticmethod
    def _answer(reader: Callable[[], str]) -> str:
        try:
            return reader()
        except (EOFError, KeyboardInterrupt):
            raise Cancelled from None


def terminal_prompts(console: Console | None = None) -> Prompts:
    """Questions on the terminal; hidden answers through :func:`getpass.getpass` (no echo)."""
    return Prompts(console or Console(), input, lambda: getpass.getpass(""))


def stream_prompts(stream: TextIO, console: Console) -> Prompts:
    """Questions answered one line each from ``stream``; its end cancels."""

    def read() -> str:
        line = stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    return Prompts(console, read, read, echo=True)


@dataclass
class Interview:
    """One `topup init` conversation; :meth:`run` returns the accounts to write."""

    prompts: Prompts
    config_path: Path
    test: AccountCheck
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    drafts: list[Draft] = field(default_factory=list)

    def run(self, chosen: Sequence[str] = ()) -> list[Draft]:
        platforms = list(chosen) or self.choose_platforms()
        providers = all_providers()
        for platform in platforms:
            draft = self.account(providers[platform])
            if draft is not None:
                self.drafts.append(draft)
        return self.drafts

    # -- platforms ----------------------------------------------------------------------------
    def choose_platforms(self) -> list[str]:
        names = sorted(all_providers())
        providers = all_providers()
        self.prompts.say("[bold]Platforms topup knows:[/]")
        for number, name in enumerate(names, 1):
            self.prompts.say(f"  {number:>2}. {escape(name):<14} {escape(providers[name].title)}")
        while True:
            answer = self.prompts.ask("Which platforms? (numbers or names, e.g. 1 3)")
            chosen, unknown = parse_choice(answer, names)
            if chosen and not unknown:
                return chosen
            if unknown:
                hint = suggest(unknown[0], names)
                self.prompts.say(
                    f"[red]not a platform: {escape(unknown[0])}[/]"
                    + (f" ({escape(hint)})" if hint else "")
                )
            else:
                self.prompts.say("[yellow]choose at least one (Ctrl-C stops)[/]")

    # -- one account --------------------------------------------------------------------------
    def account(self, provider: type[Provider]) -> Draft | None:
        """Ask for one account of ``provider`` until it is kept or dropped."""
        self.prompts.say(f"\n[bold]{escape(provider.title)}[/] ({escape(provider.name)})")
        previous: Draft | None = None
        while True:
            draft = self.ask_draft(provider, previous)
            valid, account = self.validate(draft)
            if valid:
                if account is None:
                    return draft
                result = self.test(account)
                if result.status.checked:
                    return draft
                choice = self.ask_choice("Keep it anyway, edit it, or drop it?", "keep")
            else:
                choice = self.ask_choice("Edit it, or drop it?", "edit", keep=False)
            if choice == "keep":
                return draft
            if choice == "drop":
                self.prompts.say(f"[dim]{escape(draft.name)} dropped[/]")
                return None
            previous = draft

    def ask_draft(self, provider: type[Provider], previous: Draft | None) -> Draft:
        taken = [d.name for d in self.drafts]
        name = self.ask_name(previous.name if previous else unique_name(provider.name, taken))
        base_url = self.ask_base_url(provider, previous)
        values: dict[str, str] = {}
        secrets: dict[str, Secret] = {}
        for spec in self.mode_fields(provider):
            if spec.secret:
                kept = previous.secrets.get(spec.name) if previous else None
                value = self.ask_credential(spec, kept is not None)
                if value is None and kept is not None:
                    value = kept.reveal()
                assert value is not None
                if _ENV_REFERENCE.match(value):
                    values[spec.name] = value
                    continue
                secrets[spec.name] = Secret(value)
                values[spec.name] = f"file:{self.secret_path(name, spec.name).name}"
            else:
                old = previous.values.get(spec.name) if previous else None
                values[spec.name] = self.ask_setting(spec, old)
        return Draft(name, provider, base_url, values, secrets)

    def ask_name(self, default: str) -> str:
        taken = {d.name for d in self.drafts}
        while True:
            name = self.prompts.ask("Account name", default)
            if name and name not in taken:
                return name
            self.prompts.say(f"[red]{escape(name)} is already an account here[/]")

    def ask_base_url(self, provider: type[Provider], previous: Draft | None) -> str | None:
        default = (previous.base_url if previous else None) or provider.default_base_url
        while True:
            answer = self.prompts.ask("Base URL", default).rstrip("/")
            if answer:
                return None if answer == provider.default_base_url else answer
            self.prompts.say("[red]this platform has no default address: give the site's URL[/]")

    def mode_fields(self, provider: type[Provider]) -> list[CredentialField]:
        """The fields of the mode the user picks (asked only when there are several)."""
        modes = list(provider.modes) or [provider.secret_field_names()]
        mode = modes[0]
        if len(modes) > 1:
            for number, option in enumerate(modes, 1):
                helps = "; ".join(f.help for f in provider.fields if f.name in option)
                self.prompts.say(f"  {number}. {' + '.join(sorted(option))}: {escape(helps)}")
            while True:
                answer = self.prompts.ask("Which credentials?", "1")
                if answer.isdigit() and 1 <= int(answer) <= len(modes):
                    mode = modes[int(answer) - 1]
                    break
                self.prompts.say(f"[red]answer a number from 1 to {len(modes)}[/]")
        return [f for f in provider.fields if f.name in mode]

    def ask_credential(self, spec: CredentialField, can_keep: bool) -> str | None:
        question = f"{spec.name} ({spec.help}): paste it, or env:NAME"
        if can_keep:
            question += ", or Enter to keep the one given"
        while True:
            answer = self.prompts.ask_hidden(question)
            if answer:
                return answer
            if can_keep:
                return None
            self.prompts.say("[red]nothing was entered[/]")

    def ask_setting(self, spec: CredentialField, previous: str | None) -> str:
        example = f", e.g. {spec.example}" if spec.example else ""
        while True:
            answer = self.prompts.ask(f"{spec.name} ({spec.help}{example})", previous)
            if answer and spec.accepts(answer):
                return answer
            self.prompts.say(f"[red]not a valid {escape(spec.name)}[/]")

    def ask_choice(self, question: str, default: str, keep: bool = True) -> str:
        options = ("keep", "edit", "drop") if keep else ("edit", "drop")
        while True:
            answer = self.prompts.ask(f"{question} ({'/'.join(options)})", default).lower()
            match = [o for o in options if answer and o.startswith(answer)]
            if len(match) == 1:
                return match[0]

    # -- checks ---------------------------------------------------------------------------------
    def secret_path(self, account: str, field_name: str) -> Path:
        taken = [self.config_path.parent / d.values[n][5:] for d in self.drafts for n in d.secrets]
        return secret_file(self.config_path.parent, account, field_name, taken)

    def validate(self, draft: Draft) -> tuple[bool, Account | None]:
        """Whether the config will read the account (else its error is shown), and the account
        to test (None when it reads a variable that is not set here)."""
        raw: dict[str, object] = {"name": draft.name, "provider": draft.provider.name}
        if draft.base_url is not None:
            raw["base_url"] = draft.base_url
        raw.update(draft.values)
        raw.update({k: v.reveal() for k, v in draft.secrets.items()})
        unset = [v for v in draft.env_vars() if not self.env.get(v)]
        env = {**self.env, **dict.fromkeys(unset, "unset")}
        try:
            account = build_account(raw, path=self.config_path, env=env)
        except ConfigError as exc:
            self.prompts.say(f"[red]{escape(exc.describe())}[/]")
            return False, None
        if unset:
            self.prompts.say(
                f"[yellow]{escape(', '.join(unset))} is not set here: the account is written "
                "but not tested now[/]"
            )
            return True, None
        return True, account


def parse_choice(answer: str, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """``"1 3, newapi"`` → (platform names, unknown words); repeats give several accounts."""
    chosen: list[str] = []
    unknown: list[str] = []
    for word in re.split(r"[\s,]+", answer.strip()):
        if not word:
            continue
        if word.isdigit() and 1 <= int(word) <= len(names):
            chosen.append(names[int(word) - 1])
        elif word.lower() in names:
            chosen.append(word.lower())
        else:
            unknown.append(word)
    return chosen, unknown
