"""AIHubMix in the sandbox: a new-api site whose ``/api/user/self`` echoes the manage key back
(and carries its longer field list), as the real one does, plus its key endpoint
``GET /dashboard/billing/remain``: ``total_usage`` is what REMAINS of the ``sk-`` key in USD,
``-0.000002`` for an unlimited key, and a used-up key is refused with "quota exhausted"."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.platforms.newapi import answers, routes
from topup.platforms.newapi.imitation import NewAPIImitation
from topup.sandbox.imitation import Answer, Route
from topup.sandbox.openapi import faulty
from topup.sandbox.records import Site
from topup.sandbox.replies import json_reply

if TYPE_CHECKING:
    from topup.sandbox.state import SandboxState

UNLIMITED = Decimal("-0.000002")


class Remain(BaseModel):
    object: str
    total_usage: float


def remain(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    key, error = answers.find_key(state, site, headers.get("authorization"))
    if key is not None and not key.unlimited and state.current(key).remain <= 0:
        body = {"error": {"message": "quota exhausted", "type": "aihubmix_api_error"}}
        return Answer(json_reply(403, body), key)
    if error is not None:
        return Answer(error, key)
    assert key is not None
    view = state.current(key)
    left = UNLIMITED if key.unlimited else Decimal(view.remain) / site.quota_per_unit
    return Answer(json_reply(200, {"object": "list", "total_usage": left}), key, count=True)


REMAIN_ROUTE = Route(
    "/dashboard/billing/remain",
    remain,
    "AIHubMix: what remains of the sk- key in Authorization, in USD",
    faulty(
        {
            200: {"model": Remain, "description": "total_usage is what REMAINS (<0: unlimited)"},
            **routes.KEY_RESPONSES,
            403: {"model": routes.OpenAIError, "description": "quota exhausted"},
        }
    ),
    headers=("Authorization", "APP-Code"),
    not_found=routes.not_found,
)


class AIHubMixImitation(NewAPIImitation):
    dialect = "aihubmix"
    title = "AIHubMix"
    site_defaults: Mapping[str, Any] = {"auth_era": "newapi", "echo_access_token": True}

    def routes(self) -> tuple[Route, ...]:
        return (*routes.ROUTES, REMAIN_ROUTE)


IMITATION = AIHubMixImitation()
