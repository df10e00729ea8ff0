"""The command line's layout: command modules are thin, never import one another, and are
imported only when their command runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import topup.cli

CLI = Path(topup.cli.__file__).parent
#: Modules every command may use; they import no command module.
SHARED = {
    "__init__",
    "app",
    "common",
    "history_points",
    "lazy",
    "render",
    "status_line",
    "typer_texts",
}
HEAVY = ("fastapi", "sqlalchemy", "uvicorn", "aiohttp", "apprise", "alembic")


def test_command_modules_do_not_import_each_other() -> None:
    commands = {p.stem for p in CLI.glob("*.py")} - SHARED
    for path in sorted(CLI.glob("*.py")):
        if path.stem == "__init__":
            continue
        imported = set(re.findall(r"from topup\.cli\.(\w+) import", path.read_text()))
        imported |= set(re.findall(r"from topup\.cli import (\w+)", path.read_text()))
        assert not imported & commands, (path.name, imported & commands)


def test_every_command_module_is_registered() -> None:
    commands = {p.stem for p in CLI.glob("*.py")} - SHARED
    assert {entry.module for entry in topup.cli.COMMANDS} >= commands


def test_every_listed_command_builds_from_its_module() -> None:
    from topup.cli.lazy import build

    for entry in topup.cli.COMMANDS:
        assert build(entry).name == entry.name


def test_no_command_reads_raw_config_tables() -> None:
    for path in sorted(CLI.glob("*.py")):
        assert ".section(" not in path.read_text(), path.name


def heavy_modules_imported_by(code: str) -> str:
    """Run ``code`` in a fresh interpreter; the modules of :data:`HEAVY` it imported, by commas."""
    report = f"import sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", code + report],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_starting_the_cli_imports_no_web_storage_or_alert_library() -> None:
    code = "import typer.main, topup.cli\ntyper.main.get_command(topup.cli.app)\n"
    assert heavy_modules_imported_by(code) == ""


def test_the_help_of_a_light_command_imports_no_web_or_storage_library() -> None:
    code = (
        "import topup.cli\n"
        "from typer.testing import CliRunner\n"
        "for args in (['--help'], ['check', '--help'], ['config', 'check', '--help']):\n"
        "    assert CliRunner().invoke(topup.cli.app, args).exit_code == 0\n"
    )
    assert heavy_modules_imported_by(code) == ""
