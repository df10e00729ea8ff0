"""Shared test set-up: make tests/ importable (seedspecs, helpers)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))


# CI runs the property tests on a fixed seed (a landing gate must not depend on luck); local runs
# keep searching new examples. TOPUP_HYPOTHESIS=random forces the search anywhere.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") and os.environ.get("TOPUP_HYPOTHESIS") != "random":
    settings.load_profile("ci")
