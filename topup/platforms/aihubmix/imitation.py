"""AIHubMix in the sandbox: a new-api site whose ``/api/user/self`` echoes the manage key back
(and carries its longer field list), as the real one does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topup.platforms.newapi.imitation import NewAPIImitation


class AIHubMixImitation(NewAPIImitation):
    dialect = "aihubmix"
    title = "AIHubMix"
    site_defaults: Mapping[str, Any] = {"auth_era": "newapi", "echo_access_token": True}


IMITATION = AIHubMixImitation()
