"""xAI in the sandbox: ``GET /v1/billing/teams/{team}/prepaid/balance`` (the ledger in cents,
sign inverted, as a string), 404 for a postpaid team, and their OpenAPI documentation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.imitation import Answer, Route, bearer_answer
from topup.sandbox.money import plain
from topup.sandbox.openapi import faulty
from topup.sandbox.records import Site
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


def postpaid(team: XaiTeam) -> Reply | None:
    return error(404, "NotFound", "No prepaid balance for this team") if team.postpaid else None


def prepaid_balance(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, ledger_body, refused, check=postpaid)


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
