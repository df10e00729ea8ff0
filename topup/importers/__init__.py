"""Bringing accounts in from other tools' files.

An importer reads a foreign file into :class:`~topup.importers.plan.Candidate` accounts (or
skips an entry with a reason); :mod:`topup.importers.plan` validates them with the config's own
rules and gives them unique names; :mod:`topup.importers.write` writes the ``[[accounts]]``
tables and the secret files, never overwriting anything, and loads the result as a final check.

* :mod:`topup.importers.allapihub`: backups of the all-api-hub browser extension.
"""

from __future__ import annotations

from topup.importers.plan import Candidate, ImportFailed, Plan, Planned, Skipped, make_plan
from topup.importers.write import render, write_plan

__all__ = [
    "Candidate",
    "ImportFailed",
    "Plan",
    "Planned",
    "Skipped",
    "make_plan",
    "render",
    "write_plan",
]
