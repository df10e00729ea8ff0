"""Custom platforms from the config: ``[[platforms]]`` tables and the files ``include`` names.

Called by :func:`topup.config.parse` before the accounts are read, so ``provider = "myrelay"``
resolves. Every table becomes a :class:`~topup.custom.recipe.Recipe`, its platform class is
registered (:func:`topup.platforms.register`, replacing the one a previous parse declared under
that name), and errors are located in the file the table is in: the config, or an included file.

``include = ["recipes/*.toml"]`` (globs relative to the config file's folder, ``~`` expanded)
reads files that hold ``[[platforms]]`` tables and nothing else; a pattern that matches no file
is an error, so a typo does not surface later as an unknown provider.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from topup.config import parse_toml
from topup.config_lines import deepest_line, find_line
from topup.custom.provider import RecipeProvider, provider_class
from topup.custom.recipe import Recipe, parse_recipe
from topup.errors import ConfigError
from topup.i18n import gettext as _
from topup.platforms import get_provider, register

__all__ = ["load_platforms", "platform_lines"]

_HEADER = re.compile(r"^\s*\[\[\s*platforms\s*\]\]\s*(#.*)?$")
INCLUDE_EXAMPLE = 'include = ["recipes/*.toml"]'


@dataclass(frozen=True, slots=True)
class _Source:
    """A file that declares platforms: the config itself, or one it includes."""

    path: Path | None
    text: str
    data: Mapping[str, Any]
    base_dir: Path

    def origin(self, line: int | None) -> str:
        if self.path is None:
            return f"line {line}" if line else ""
        try:
            name = str(self.path.relative_to(self.base_dir))
        except ValueError:
            name = str(self.path)
        return f"{name}:{line}" if line else name


def platform_lines(text: str) -> list[int]:
    """The line of each ``[[platforms]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if _HEADER.match(line)]


def load_platforms(data: Mapping[str, Any], *, path: Path | None, text: str) -> tuple[Recipe, ...]:
    """The platforms a parsed config declares, validated and registered."""
    base_dir = path.parent if path is not None else Path.cwd()
    main = _Source(path, text, data, base_dir)
    recipes: list[Recipe] = []
    declared: dict[str, str] = {}
    for source in (main, *_included(main)):
        tables = source.data.get("platforms", [])
        if not isinstance(tables, list):
            raise ConfigError(
                _("{key} must be an array of tables").format(key="platforms"),
                path=source.path,
                line=find_line(source.text, "platforms"),
                hint=_("write each platform under its own [[platforms]] header"),
            )
        lines = platform_lines(source.text)
        for index, table in enumerate(tables):
            line = lines[index] if index < len(lines) else find_line(source.text, "platforms")
            recipe = _recipe(table, source, line, declared)
            declared[recipe.name] = recipe.origin
            recipes.append(recipe)
    for recipe in recipes:
        register(provider_class(recipe))
    return tuple(recipes)


def _recipe(table: Any, source: _Source, line: int | None, declared: dict[str, str]) -> Recipe:
    name = table.get("name") if isinstance(table, dict) else None
    named = isinstance(name, str) and bool(name)

    def error(message: str, hint: str | None = None, *, key: str | None = None) -> ConfigError:
        where = line
        if key and line:
            where = find_line(source.text, key, after=line) or line
        if named:
            message = _("platform {name}: {message}").format(name=repr(name), message=message)
        return ConfigError(message, path=source.path, line=where, hint=hint)

    recipe = parse_recipe(table, error, origin=source.origin(line))
    if recipe.name in declared:
        raise error(
            _("platform {name} is declared twice").format(name=repr(recipe.name)),
            _("first declared at {origin}; names must be unique").format(
                origin=declared[recipe.name]
            ),
            key="name",
        )
    existing = get_provider(recipe.name)
    if existing is not None and not issubclass(existing, RecipeProvider):
        raise error(
            _("the name is taken by the built-in platform {title}").format(
                title=repr(existing.title)
            ),
            _("choose another name; for a mirror of it, use {setting} with {key}").format(
                setting=f"provider = {recipe.name!r}", key="base_url"
            ),
            key="name",
        )
    return recipe


def _included(main: _Source) -> list[_Source]:
    """The files ``include`` names, read and parsed, each at most once."""
    if "include" not in main.data:
        return []
    patterns = main.data["include"]
    line = find_line(main.text, "include")

    def error(message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(message, path=main.path, line=line, hint=hint)

    if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        raise error(
            _("{key} must be a list of file patterns").format(key="include"),
            _("e.g. {example}").format(example=INCLUDE_EXAMPLE),
        )
    files: list[Path] = []
    for pattern in patterns:
        found = _matches(pattern, main.base_dir)
        if not found:
            raise error(
                _("include {pattern} matches no file").format(pattern=repr(pattern)),
                _("patterns are relative to {folder}").format(folder=main.base_dir),
            )
        files += [f for f in found if f not in files and f != main.path]
    return [_read(file, main.base_dir, error) for file in files]


def _matches(pattern: str, base_dir: Path) -> list[Path]:
    expanded = Path(pattern).expanduser()
    if expanded.is_absolute():
        spec = str(expanded)
    else:
        spec = str(Path(glob.escape(str(base_dir))) / expanded)
    return sorted(Path(p).resolve() for p in glob.glob(spec, recursive=True) if Path(p).is_file())


def _read(file: Path, base_dir: Path, error: Any) -> _Source:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("not UTF-8 text")
        raise error(
            _("cannot read included file {file}: {error}").format(file=file, error=reason)
        ) from None
    try:
        data = parse_toml(text, file)
    except RecursionError:
        raise ConfigError(
            _("not valid TOML: arrays or tables nested too deeply"),
            path=file,
            line=deepest_line(text),
            hint=_("nest fewer levels at that line"),
        ) from None
    extra = sorted(set(data) - {"platforms"})
    if extra:
        raise ConfigError(
            _("unknown table or key {key} in an included file").format(key=repr(extra[0])),
            path=file,
            line=find_line(text, extra[0]),
            hint=_("an included file holds [[platforms]] tables only"),
        )
    return _Source(file, text, data, base_dir)
