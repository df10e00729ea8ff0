"""The starter config `topup init` writes: commented TOML text, and the files it goes into.

Each account of the starter is a :class:`Draft`: its platform, name, base URL and, per field,
the value as the config holds it (``env:NAME``, ``file:PATH`` or a setting's literal). No secret
is ever in the text: a pasted key goes to its own 0600 file beside the config (referenced with
``file:``), or is read from an environment variable (``env:``). TOML is written as text; every
string is a TOML basic string (:func:`toml_string`). The interactive questions that fill drafts
are in :mod:`topup.starter_flow`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.platforms import Provider, all_providers
from topup.secrets import Secret

#: The base URL written for a platform that has no default (the user must replace it).
PLACEHOLDER_URL = "https://your-site.example"
#: A setting's value when its platform gives no example.
PLACEHOLDER_SETTING = "CHANGE-ME"
COMMENT_COLUMN = 44

HEADER = """\
# topup config, written by `topup init`.
#
# Each [[accounts]] table is one account whose balance `topup check` reads:
#   name: unique; `topup check NAME` checks only that account
#   provider: the platform (`topup providers` lists them, with their fields)
#   base_url: the platform's address; needed where it has no default (a relay, a mirror)
#   api_key, access_token...: credentials, each a literal, env:NAME (read from an environment
#     variable) or file:PATH (read from a file; a relative path is beside this file)
#   user_id, team_id...: the platform's own settings (not secret)
# Optional per account: min_balance (below it `topup check` exits 3), currency, timeout,
# interval, tags, enabled = false, proxy: see the README.
#
# `topup config check` validates this file without any network access;
# `topup check` reads every balance.
"""

SECTIONS = """\
# Optional sections: remove the leading "# " of a section's lines to use it.

# [check]                                 # defaults for `topup check`
# timeout = 20                            # seconds one account's check may take
# concurrency = 32                        # accounts checked at once
# per_host = 8                            # accounts checked at once against one host

# [watch]                                 # `topup watch` and `topup serve`
# interval = "15m"                        # time between two checks of an account

# [alerts]                                # sent by `topup watch`; `topup alerts test` tries them
# notify = ["json://127.0.0.1:9999/hook"] # apprise URLs: tgram://, mailto://, ntfy://...
# below = "5"                             # a balance below this amount
# failures = 3                            # checks failing this many times in a row
# cooldown = "6h"                         # an alert is not repeated within this
"""


@dataclass(frozen=True, slots=True)
class Draft:
    """One account of the starter config, as it will be written."""

    name: str
    provider: type[Provider]
    #: Written when set; None leaves the platform's default (shown commented out).
    base_url: str | None = None
    #: Field name → its config value: ``env:NAME``, ``file:PATH`` or a setting's literal.
    values: Mapping[str, str] = field(default_factory=dict)
    #: Pasted credentials: field name → the secret, written to the file ``values`` names.
    secrets: Mapping[str, Secret] = field(default_factory=dict)
    #: Settings holding an example value the user must replace.
    placeholders: frozenset[str] = frozenset()

    def env_vars(self) -> list[str]:
        """The environment variables this account's credentials are read from."""
        return [v[4:] for v in self.values.values() if v.startswith("env:")]


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string. JSON's escapes are TOML escapes too; non-ASCII text is
    kept as it is (``ensure_ascii`` would split astral characters into surrogate escapes, which
    TOML refuses), and DEL, which JSON leaves alone but TOML must have escaped, is escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def env_name(account: str, field_name: str) -> str:
    """``SILICONFLOW_API_KEY`` for account ``siliconflow``'s ``api_key``; a name cannot start
    with a digit, so leading digits move to the end (``302ai`` → ``AI302_API_KEY``)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", account).strip("_").upper()
    digits = re.match(r"[0-9]+", stem)
    if digits:
        rest = stem[digits.end() :].strip("_")
        stem = f"{rest}{digits.group()}" if rest else f"ACCOUNT_{digits.group()}"
    return f"{stem or 'ACCOUNT'}_{field_name.upper()}"


def unique_name(wanted: str, taken: Collection[str]) -> str:
    """``wanted``, else ``wanted-2``, ``wanted-3``... (account names are unique)."""
    name, number = wanted, 1
    while name in taken:
        number += 1
        name = f"{wanted}-{number}"
    return name


def default_mode(provider: type[Provider]) -> frozenset[str]:
    """The mode a script can fill from environment variables: fewest settings, then the first."""
    if not provider.modes:
        return provider.secret_field_names()
    secret = provider.secret_field_names()
    return min(provider.modes, key=lambda mode: len(mode - secret))


def placeholder(provider: type[Provider], field_name: str, account: str) -> str:
    """A field's value in a scripted starter: ``env:NAME`` for a credential, else its example."""
    spec = next(f for f in provider.fields if f.name == field_name)
    if spec.secret:
        return f"env:{env_name(account, field_name)}"
    return spec.example or PLACEHOLDER_SETTING


def scripted(platforms: Sequence[str]) -> list[Draft]:
    """Drafts for `topup init --provider P ...`: credentials from ``env:`` variables."""
    providers = all_providers()
    drafts: list[Draft] = []
    for platform in platforms:
        provider = providers[platform]
        name = unique_name(platform, [d.name for d in drafts])
        values = {
            f.name: placeholder(provider, f.name, name)
            for f in provider.fields
            if f.name in default_mode(provider)
        }
        base_url = None if provider.default_base_url else PLACEHOLDER_URL
        settings = frozenset(values) - provider.secret_field_names()
        drafts.append(Draft(name, provider, base_url, values, placeholders=settings))
    return drafts


def _line(key: str, value: str, comment: str, *, off: bool = False) -> str:
    """``key = "value"  # comment``, comments aligned; ``off``: the whole line commented out."""
    text = ("# " if off else "") + f"{key} = {toml_string(value)}"
    comment = re.sub(r"[\x00-\x1f\x7f]+", " ", comment)
    return f"{text.ljust(COMMENT_COLUMN - 2)}  # {comment}" if comment else text


def account_block(draft: Draft) -> list[str]:
    """The ``[[accounts]]`` table of a draft, with the fields it leaves out commented out."""
    provider = draft.provider
    lines = [
        "[[accounts]]",
        _line("name", draft.name, ""),
        _line("provider", provider.name, provider.title),
    ]
    if draft.base_url is not None:
        note = "the site's address"
        if draft.base_url == PLACEHOLDER_URL:
            note = "required: replace it with your site's address"
        elif provider.default_base_url:
            note = f"instead of the default {provider.default_base_url}"
        lines.append(_line("base_url", draft.base_url, note))
    elif provider.default_base_url:
        lines.append(_line("base_url", provider.default_base_url, "the default", off=True))
    for spec in provider.fields:
        if spec.name in draft.values:
            note = spec.help
            if spec.name in draft.secrets:
                note += " (kept in a 0600 file beside this one)"
            if spec.name in draft.placeholders:
                note += ": an example, replace it with yours"
            lines.append(_line(spec.name, draft.values[spec.name], note))
    for spec in provider.fields:
        if spec.name not in draft.values:
            value = placeholder(provider, spec.name, draft.name)
            lines.append(_line(spec.name, value, spec.help, off=True))
    lines.append(_line("min_balance", "5", "below it, `topup check` exits 3", off=True))
    return lines


def render(drafts: Sequence[Draft]) -> str:
    """The whole starter config: header, accounts (or a commented example), optional sections."""
    parts = [HEADER]
    env_vars = [v for d in drafts for v in d.env_vars()]
    if env_vars:
        exports = "".join(f"#   export {v}=...\n" for v in env_vars)
        parts.append(
            "# The credentials below are read from environment variables; set them before\n"
            f"# running topup:\n{exports}"
        )
    if any(d.secrets for d in drafts):
        parts.append("# Pasted keys are kept in 0600 files beside this one (file:...).\n")
    for draft in drafts:
        parts.append("\n".join(account_block(draft)) + "\n")
    if not drafts:
        example = scripted([example_platform()])[0]
        block = "\n".join("# " + line for line in account_block(example))
        parts.append(
            "# No account yet; `topup init --provider NAME` writes one. An example (remove the\n"
            f'# leading "# " of its lines and set the variable it names):\n{block}\n'
        )
    parts.append(SECTIONS)
    return "\n".join(parts)


def example_platform() -> str:
    """The first platform (by name) that needs no base URL, for the commented example."""
    providers = sorted(all_providers().items())
    return next((n for n, p in providers if p.default_base_url), providers[0][0])


def secret_file(directory: Path, account: str, field_name: str, taken: Collection[Path]) -> Path:
    """A new file for a pasted credential, beside the config: ``ACCOUNT.FIELD.secret``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", account).strip("._") or "account"
    path, number = directory / f"{stem}.{field_name}.secret", 1
    while path in taken or path.exists():
        number += 1
        path = directory / f"{stem}.{field_name}.{number}.secret"
    return path


def refuse_existing(path: Path) -> None:
    """Raise the located error `topup init` gives for a config that is already there."""
    if path.exists() or path.is_symlink():
        raise ConfigError(
            _("already exists; not overwritten"),
            path=path,
            hint=_(
                "check it with `topup config check`, move it away, or give another --config PATH"
            ),
        )


def write(path: Path, drafts: Sequence[Draft]) -> list[Path]:
    """Write the pasted secrets (each its own 0600 file) and then the config, never over an
    existing file. Returns the files written; on a failure none of them is left behind."""
    refuse_existing(path)
    written: list[Path] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for draft in drafts:
            for name, secret in draft.secrets.items():
                target = Path(draft.values[name][5:])
                target = target if target.is_absolute() else path.parent / target
                _create(target, secret.reveal() + "\n")
                written.append(target)
        _create(path, render(drafts))
        written.append(path)
    except FileExistsError:
        _remove(written)
        refuse_existing(path)
        raise ConfigError(
            _("a file appeared while writing"), path=path, hint=_("run it again")
        ) from None
    except OSError as exc:
        _remove(written)
        raise ConfigError(
            _("cannot write: {error}").format(error=exc.strerror or exc),
            path=exc.filename or path,
            hint=_("check the folder"),
        ) from None
    return written


def _create(path: Path, text: str) -> None:
    """A new file readable by its owner only; an existing one is an error (``O_EXCL``)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


def _remove(paths: Sequence[Path]) -> None:
    for created in paths:
        created.unlink(missing_ok=True)


def placeholders_left(
    provider: type[Provider], base_url: str | None, options: Mapping[str, str]
) -> list[str]:
    """The fields of an account that still hold a value `topup init` wrote as an example to
    replace (the placeholder base URL, ``CHANGE-ME``, a platform's example setting)."""
    left = ["base_url"] if base_url is not None and base_url.rstrip("/") == PLACEHOLDER_URL else []
    examples = {f.name: f.example for f in provider.fields if f.example}
    for name, value in options.items():
        if value == PLACEHOLDER_SETTING or (name in examples and value == examples[name]):
            left.append(name)
    return left
