"""The command line's layout: command modules are thin and never import one another."""

from __future__ import annotations

import re
from pathlib import Path

import topup.cli

CLI = Path(topup.cli.__file__).parent
#: Modules every command may use; they import no command module.
SHARED = {"__init__", "app", "common", "render"}


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
    assert {m.__name__.rsplit(".", 1)[1] for m in topup.cli.COMMANDS} == commands


def test_no_command_reads_raw_config_tables() -> None:
    for path in sorted(CLI.glob("*.py")):
        assert ".section(" not in path.read_text(), path.name
