"""Credential values in the config: a literal, ``env:NAME`` or ``file:PATH`` → a :class:`Secret`.

A ``file:`` path is relative to the config file's folder. The value itself is never echoed in an
error: people paste keys in the wrong place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.secrets import Secret

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class ErrorAt(Protocol):
    """Builds a located :class:`ConfigError` for a message about ``key``."""

    def __call__(
        self, message: str, hint: str | None = None, *, key: str | None = None
    ) -> ConfigError: ...


def resolve_secret(
    value: str,
    key: str,
    *,
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    line: int | None = None,
) -> Secret:
    """A literal, ``env:NAME`` or ``file:PATH`` value outside an account (``[serve] token``)."""

    def error(message: str, hint: str | None = None, *, key: str | None = None) -> ConfigError:
        return ConfigError(message, path=path, line=line, hint=hint)

    base_dir = path.parent if path is not None else Path.cwd()
    return resolve(value, key, base_dir, os.environ if env is None else env, error)


def resolve(value: str, key: str, base_dir: Path, env: Mapping[str, str], error: ErrorAt) -> Secret:
    """``value`` of ``key`` resolved; every problem is ``error(...)``, raised."""
    secret = _resolve_text(value, key, base_dir, env, error)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in secret.reveal()):
        # Never echo it: a key with a line break would otherwise end up in an HTTP error.
        raise error(
            _("{key} contains a line break or another control character").format(key=key),
            _("a credential is one line; check the env var or file it comes from"),
            key=key,
        )
    return secret


def _resolve_text(
    value: str, key: str, base_dir: Path, env: Mapping[str, str], error: ErrorAt
) -> Secret:
    if value.startswith("env:"):
        var = value[4:]
        if not _ENV_NAME.match(var):
            # Never echo it: people paste the key itself after env:.
            raise error(
                _("{key}: the text after env: is not an environment variable name").format(key=key),
                _("if it is the key itself, drop the env: prefix"),
                key=key,
            )
        resolved = env.get(var)
        if not resolved:
            raise error(
                _("{key}: environment variable {var} is not set").format(key=key, var=var),
                _("export {var}=..., or give the value literally or as file:PATH").format(var=var),
                key=key,
            )
        return Secret(resolved.strip())
    if value.startswith("file:"):
        file = Path(value[5:]).expanduser()
        if not file.is_absolute():
            file = base_dir / file
        try:
            content = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise error(
                _("{key}: cannot read {file}: {error}").format(
                    key=key, file=file, error=exc.strerror
                ),
                _("check the path"),
                key=key,
            ) from None
        if not content:
            raise error(_("{key}: {file} is empty").format(key=key, file=file), key=key)
        return Secret(content)
    if not value.strip():
        raise error(_("{key} is empty").format(key=key), key=key)
    return Secret(value.strip())
