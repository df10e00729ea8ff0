"""Writing a plan: ``[[accounts]]`` tables as TOML text, credentials in their own files.

Nothing is ever overwritten: a new config and every secret file are created with
``O_CREAT | O_EXCL`` (secret files and a config holding credentials mode 0600, their folder
0700); ``--append`` only adds text at the end of an existing config. The result is loaded with
:func:`topup.config.load` as a final check; if that fails, or anything fails half-way, what was
written is taken back (new files removed, an appended config cut back to its old length).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from topup.account import Account
from topup.config import Config, load
from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.importers.plan import ImportFailed, Plan
from topup.sanitize import remove_controls
from topup.secrets import mask

#: The folder beside the config that holds the credentials' files.
SECRETS_DIR = "secrets"
#: A non-secret setting written as a TOML integer (new-api's ``user_id``).
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True, slots=True)
class Written:
    config: Config
    #: The secret files created, in order.
    files: tuple[Path, ...]


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (a JSON string is one, once DEL is escaped too and no
    lone surrogate is left)."""
    text = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def secret_file(name: str, field: str) -> str:
    """Where an account's credential is written, relative to the config's folder."""
    return f"{SECRETS_DIR}/{name}.{field}"


def render(plan: Plan, *, inline: bool, masked: bool = False) -> str:
    """The plan's ``[[accounts]]`` tables. Credentials are ``file:`` references, or with
    ``inline`` the values themselves (``masked``: their masks, for a dry run)."""
    blocks: list[str] = []
    for planned in plan.planned:
        c = planned.candidate
        lines = [f"# {remove_controls(c.comment)}"] if c.comment else []
        lines += [
            "[[accounts]]",
            f"name = {toml_string(planned.name)}",
            f"provider = {toml_string(c.provider)}",
        ]
        if c.base_url:
            lines.append(f"base_url = {toml_string(c.base_url)}")
        for field, value in c.secrets.items():
            if inline:
                shown = mask(value) if masked else value
            else:
                shown = f"file:{secret_file(planned.name, field)}"
            lines.append(f"{field} = {toml_string(shown)}")
        for key, value in c.options.items():
            lines.append(f"{key} = {value if _INTEGER.fullmatch(value) else toml_string(value)}")
        if not c.enabled:
            lines.append("enabled = false")
        if c.tags:
            lines.append(f"tags = [{', '.join(toml_string(t) for t in c.tags)}]")
        if c.notes:
            lines.append(f"notes = {toml_string(c.notes)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def check_target(path: Path, *, append: bool, inline: bool) -> None:
    """Refuse, before anything is written, what the import must not do to ``path``."""
    if path.is_dir():
        raise ImportFailed(_("the config path is a folder"), path=path, hint=_("give a file name"))
    if not path.exists():
        return
    if not append:
        raise ImportFailed(
            _("the config file exists and an import never overwrites it"),
            path=path,
            hint=_("add --append to add the accounts at its end, or give another --config PATH"),
        )
    if inline and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise ImportFailed(
            _("others may read this config; --inline-secrets would put credentials in it"),
            path=path,
            hint=_("{command}, or drop --inline-secrets to write secret files instead").format(
                command=f"chmod 600 {path}"
            ),
        )


def existing_accounts(path: Path, *, append: bool) -> tuple[Account, ...]:
    """The accounts of the config appended to (it must load before anything is added)."""
    if not (append and path.exists()):
        return ()
    try:
        return load(path).accounts
    except ConfigError as exc:
        raise ImportFailed(
            _("the config to append to does not load: {error}").format(error=exc.describe()),
            hint=_("fix it first; `topup check` shows the same error"),
        ) from None


def taken_file_names(path: Path) -> set[str]:
    """Account names whose secret files already exist beside the config."""
    folder = path.parent / SECRETS_DIR
    if not folder.is_dir():
        return set()
    return {f.name.rsplit(".", 1)[0] for f in folder.iterdir()}


def write_plan(plan: Plan, path: Path, *, append: bool, inline: bool, header: str) -> Written:
    """Write ``plan`` to the config at ``path`` (and its secret files); load it back."""
    check_target(path, append=append, inline=inline)
    created: list[Path] = []
    old_size: int | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        files = () if inline else _write_secrets(plan, path.parent, created)
        text = f"{header}\n\n{render(plan, inline=inline)}"
        if path.exists():
            old_size = path.stat().st_size
            with path.open("rb") as fh:
                ends_in_newline = old_size == 0 or (fh.seek(old_size - 1), fh.read(1))[1] == b"\n"
            with path.open("a", encoding="utf-8") as fh:
                fh.write(("\n" if ends_in_newline else "\n\n") + text)
        else:
            _create(path, text, 0o600 if inline else 0o644)
            created.append(path)
        config = load(path)
    except BaseException as exc:
        _take_back(created, path, old_size)
        if isinstance(exc, ConfigError):
            raise ImportFailed(
                _("the written config did not load, so nothing was kept: {error}").format(
                    error=exc.describe()
                )
            ) from None
        if isinstance(exc, OSError):
            raise ImportFailed(
                _("cannot write: {error}").format(error=exc.strerror or exc),
                path=Path(exc.filename or path),
            ) from None
        raise
    return Written(config, files)


def _write_secrets(plan: Plan, folder: Path, created: list[Path]) -> tuple[Path, ...]:
    secrets = folder / SECRETS_DIR
    if not secrets.exists():
        secrets.mkdir(mode=0o700)
        created.append(secrets)
    files: list[Path] = []
    for planned in plan.planned:
        for field, value in planned.candidate.secrets.items():
            file = folder / secret_file(planned.name, field)
            _create(file, value + "\n", 0o600)
            created.append(file)
            files.append(file)
    return tuple(files)


def _create(path: Path, text: str, mode: int) -> None:
    """A new file (never an existing one, never through a symlink) with ``mode``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def _take_back(created: list[Path], path: Path, old_size: int | None) -> None:
    if old_size is not None:
        with contextlib.suppress(OSError):
            os.truncate(path, old_size)
    for item in reversed(created):
        with contextlib.suppress(OSError):
            item.rmdir() if item.is_dir() else item.unlink()
