"""The `topup` command: answers `topup status` from its line cache before Typer or SQLAlchemy
load, else runs the command line (:func:`topup.cli.main`).

A shell prompt or a status line runs ``topup status`` again and again; most of its time is
importing Typer and SQLAlchemy, not the summary. So a normal run of ``topup status`` keeps the
line it printed (the exact text, its exit status) in the user cache dir, beside the spend it
keeps, under a key of everything the line depends on but the clock: the arguments after
``status``, the working directory, whether stdout is a terminal, the environment that picks
the files, the language and the colour (:data:`ENV`), and the size and modification time of
the config file and of the SQLite history (its main file and its ``-wal``). The next run with
the same key within :data:`TTL` (staleness and runways move with the clock) prints that line
and exits with that status, importing only the standard library and platformdirs.

Any doubt is the normal path: a root option before ``status``, ``--help``, an option this
module does not know, ``--fresh`` or ``--no-cache``, a history that is not a SQLite file (a
PostgreSQL history is never cached: its changes cannot be seen from here), a file modified
within :data:`RACY` of the run (a later change could keep the same time stamp), an unreadable
or corrupt entry. Errors are never kept (they are not a line on stdout). The cache never fails
the command: reading or writing it is best effort.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

#: How long a kept line answers (seconds from the moment its run began reading).
TTL = 60.0
#: A file modified less than this before the run began is not trusted to show a later change
#: by its time stamp (file systems keep coarse times; FAT's are 2 s).
RACY = 2.5
#: Kept lines older than this are deleted when a new one is written.
PRUNE_AFTER = 3600.0
#: What the line depends on in the environment: the config and history files' locations, the
#: language (topup.i18n), the colour (NO_COLOR) and the encoding of stdout.
ENV = (
    "TOPUP_CONFIG",
    "TOPUP_LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "LC_CTYPE",
    "LANG",
    "NO_COLOR",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "PYTHONIOENCODING",
    "PYTHONUTF8",
)
#: The options of ``topup status`` the cache answers for (taking a value, or flags).
VALUED = frozenset({"--format", "-f", "--each", "--config", "-c", "--db"})
FLAGS = frozenset({"--plain", "--runway", "--no-runway"})
VERSION = 1


class Request(NamedTuple):
    """What a ``topup status`` run's line depends on, known before reading anything."""

    args: tuple[str, ...]
    cwd: str
    tty: bool
    env: tuple[tuple[str, str | None], ...]

    def key(self) -> dict[str, Any]:
        return {
            "args": list(self.args),
            "cwd": self.cwd,
            "tty": self.tty,
            "env": [list(pair) for pair in self.env],
        }

    def path(self, directory: Path) -> Path:
        digest = hashlib.sha256(json.dumps(self.key()).encode()).hexdigest()[:16]
        return directory / f"line-{digest}.json"


class Hit(NamedTuple):
    text: str
    exit_code: int


#: The request of this process when its line was not cached: the status command keeps what it
#: prints under it (:func:`keep`). None when the process did not start here, or with ``--fresh``.
pending: Request | None = None


def answerable(args: Sequence[str]) -> bool:
    """True when ``args`` (after ``status``) are options the cache can answer for."""
    index = 0
    while index < len(args):
        arg = args[index]
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in VALUED:
            if "=" not in arg or not arg.startswith("--"):
                index += 1
                if index >= len(args):
                    return False
        elif name not in FLAGS or "=" in arg:
            return False  # --help, --fresh, --no-cache, an unknown option, an argument
        index += 1
    return True


def request(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    tty: bool | None = None,
    cwd: str | None = None,
) -> Request | None:
    """The request of ``argv`` (the arguments after ``topup``), or None when the cache cannot
    answer it (not ``status``, or an option it does not know)."""
    if not argv or argv[0] != "status" or not answerable(argv[1:]):
        return None
    env = os.environ if env is None else env
    return Request(
        tuple(argv[1:]),
        os.getcwd() if cwd is None else cwd,
        sys.stdout.isatty() if tty is None else tty,
        tuple((name, env.get(name)) for name in ENV),
    )


def directory() -> Path:
    """The user cache dir, where ``topup status`` keeps its spend too."""
    import platformdirs

    return platformdirs.user_cache_path("topup")


def stamp(path: Path) -> list[Any]:
    """``[path, mtime_ns, size]`` (``None`` twice for a missing file)."""
    try:
        found = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path), found.st_mtime_ns, found.st_size]


def lookup(req: Request, *, now: float | None = None, folder: Path | None = None) -> Hit | None:
    """The kept line of ``req`` when every part of its key is unchanged and it is younger than
    :data:`TTL`; None otherwise (missing, old, changed, corrupt)."""
    now = time.time() if now is None else now
    try:
        data = json.loads(req.path(folder or directory()).read_text(encoding="utf-8"))
        if data["version"] != VERSION or data["key"] != req.key():
            return None
        if not 0 <= now - float(data["at"]) < TTL:
            return None
        files = data["files"]
        if not files or any(stamp(Path(f[0])) != f for f in files):
            return None
        text, code = data["text"], data["exit"]
        if not isinstance(text, str) or type(code) is not int:
            return None
        return Hit(text, code)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def keep(
    req: Request,
    files: Sequence[list[Any]],
    started: float,
    text: str,
    exit_code: int,
    *,
    folder: Path | None = None,
) -> bool:
    """Keep ``text`` and ``exit_code`` for ``req``, keyed on ``files`` (their :func:`stamp`
    taken before reading them) and the time ``started``; atomically, never raising. False
    when not kept: a file modified within :data:`RACY` of ``started``, or the cache dir not
    writable."""
    if not files or any(f[1] is not None and f[1] / 1e9 > started - RACY for f in files):
        return False
    document = {
        "version": VERSION,
        "key": req.key(),
        "files": [list(f) for f in files],
        "at": started,
        "text": text,
        "exit": exit_code,
    }
    try:
        target = req.path(folder or directory())
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(document), encoding="utf-8")
        os.replace(partial, target)
        _prune(target.parent, started)
    except OSError:
        return False
    return True


def _prune(folder: Path, now: float) -> None:
    for path in folder.glob("line-*.json"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > PRUNE_AFTER:
                path.unlink()


def main() -> int | None:
    """The console script: the kept line of a ``topup status`` run, else the command line."""
    global pending
    req = None
    with contextlib.suppress(Exception):  # the cache never fails the command
        req = request(sys.argv[1:])
    if req is not None:
        hit = lookup(req)
        if hit is not None:
            sys.stdout.write(hit.text)
            sys.stdout.flush()
            return hit.exit_code
        pending = req
    from topup.cli import main as cli

    cli()
    return None


if __name__ == "__main__":  # python -m topup.entry: run as the module the command imports
    from topup.entry import main as entry_main

    sys.exit(entry_main())
