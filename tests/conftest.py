"""Shared test set-up: make tests/ importable (seedspecs, helpers)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))


def _english_unless_asked() -> None:
    """Messages in English whatever the machine's locale: tests that want Chinese ask for it
    (``--lang zh-CN``, ``[ui] lang``, or ``LANG`` in a subprocess's environment)."""
    for name in ("TOPUP_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        os.environ.pop(name, None)
    os.environ["LANG"] = "C.UTF-8"


_english_unless_asked()


def _register_extra_platforms() -> None:
    """``TOPUP_TEST_PLATFORMS="name=module:Class,..."``: platforms being written, registered
    before the generic tests collect (a new folder can be tested before its registry line)."""
    spec = os.environ.get("TOPUP_TEST_PLATFORMS", "")
    if not spec:
        return
    import importlib

    from topup.platforms import register

    for item in filter(None, (p.strip() for p in spec.split(","))):
        _, _, target = item.partition("=")
        module, _, attr = target.partition(":")
        register(getattr(importlib.import_module(module), attr))


_register_extra_platforms()

from storage.conftest import PgSchema, postgres_base_url  # noqa: E402 - needs the path above

# CI runs the property tests on a fixed seed (a landing gate must not depend on luck); local runs
# keep searching new examples. TOPUP_HYPOTHESIS=random forces the search anywhere.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") and os.environ.get("TOPUP_HYPOTHESIS") != "random":
    settings.load_profile("ci")


@pytest.fixture
def pg_schema() -> Iterator[PgSchema]:
    """A fresh schema on the test PostgreSQL (dropped afterwards); skips with a reason without
    ``TOPUP_TEST_POSTGRES_URL``."""
    schema = PgSchema(postgres_base_url())
    try:
        yield schema
    finally:
        schema.drop()


@pytest.fixture(autouse=True)
def _english_again_after_each_test() -> Iterator[None]:
    """A CLI run with ``--lang zh-CN`` sets the process's language (as a real run does, once);
    the next test starts in English, whether it runs the CLI or calls the library."""
    yield
    from topup import i18n

    i18n.set_language(None)
