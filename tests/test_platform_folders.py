"""Nothing outside a platform's own folder names a platform: no switchboards."""

from __future__ import annotations

import ast
from pathlib import Path

from topup.platforms import all_providers
from topup.sandbox.imitation import imitations

ROOT = Path(__file__).resolve().parents[1] / "topup"


def names() -> set[str]:
    return set(all_providers()) | set(imitations())


def test_no_module_outside_the_platform_folders_compares_with_a_platform_name() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.is_relative_to(ROOT / "platforms"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names():
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert offenders == []


def test_every_platform_folder_holds_client_cases_imitation_and_demo() -> None:
    for name, provider in all_providers().items():
        folder = Path(__import__(provider.__module__, fromlist=["x"]).__file__ or "").parent
        have = {p.stem for p in folder.glob("*.py")}
        assert {"client", "cases", "imitation", "demo"} <= have, (name, sorted(have))
