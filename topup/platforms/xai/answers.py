"""xAI in the sandbox: ``GET /v1/billing/teams/{team}/prepaid/balance`` (the ledger in cents,
sign inverted, as a string), 404 for a postpaid team, and their OpenAPI documentation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.imitation import Answer, Route
from topup.sandbox.money import plain
from topup.sandbox.openapi import faulty
from topup.sandbox.prepaid import bearer
from topup.sandbox.records import ENABLED, Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.platforms.xai.imitation import XaiTeam
    from topup.sandbox.state import SandboxState

#: The id of every sandbox team (see :mod:`topup.platforms.xai.imitation`).
TEAM_ID = "5a4ad0b9-0000-4000-8000-5a4db0c0a501"


class Cents(BaseModel):
    val: str


class PrepaidBalance(BaseModel):
    changes: list[dict[str, Any]]
    total: Cents


class ErrorBody(BaseModel):
    code: str
    error: str


def error(status: int, code: str, message: str) -> Reply:
    return json_reply(status, {"code": code, "error": message})


def refused() -> Reply:
    return error(401, "Unauthenticated", "Invalid or missing management key")


def not_found() -> Reply:
    return error(404, "NotFound", "Not Found")


def ledger_body(team: XaiTeam) -> dict[str, Any]:
    return {"changes": [], "total": {"val": plain(-team.balance.scaleb(2).to_integral_value())}}


def prepaid_balance(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    token = bearer(headers.get("authorization"))
    team = state.account_by_token(site.name, token) if token else None
    if team is None or team.status != ENABLED:
        return Answer(refused(), team)
    if team.postpaid:
        return Answer(error(404, "NotFound", "No prepaid balance for this team"), team)
    return Answer(json_reply(200, ledger_body(state.current(team))), team, count=True)


ROUTES: tuple[Route, ...] = (
    Route(
        f"/v1/billing/teams/{TEAM_ID}/prepaid/balance",
        prepaid_balance,
        "xAI: a team's prepaid balance (management key)",
        faulty(
            {
                200: {"model": PrepaidBalance, "description": "Ledger total in cents, inverted"},
                401: {"model": ErrorBody, "description": "Invalid or missing management key"},
                404: {"model": ErrorBody, "description": "Postpaid team, or unknown site"},
            }
        ),
        not_found=not_found,
    ),
)
