"""Chinese help folds between characters and at spaces, never inside an ASCII word: every
command's help at 80 columns has only the ASCII words it has when nothing is folded."""

from __future__ import annotations

import re

import pytest
from cli_helpers import invoke

from topup.cli import COMMANDS

GROUPS = {
    "config": ["check"],
    "db": ["prune"],
    "keys": ["check"],
    "alerts": ["test"],
    "platforms": ["test"],
}
COMMAND_PATHS = [[c.name] for c in COMMANDS] + [[g, s] for g, subs in GROUPS.items() for s in subs]
ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")


def ascii_words(args: list[str], columns: int) -> set[str]:
    out = invoke(["--lang", "zh-CN", *args, "--help"], {"COLUMNS": str(columns)})
    assert out.exit_code == 0, out.output
    return set(ASCII_WORD.findall(out.stdout))


@pytest.mark.parametrize("args", COMMAND_PATHS, ids=" ".join)
def test_chinese_help_at_80_columns_splits_no_ascii_word(args: list[str]) -> None:
    whole = ascii_words(args, 2000)
    split = ascii_words(args, 80) - whole
    assert not split, f"ASCII words cut at 80 columns: {sorted(split)}"
