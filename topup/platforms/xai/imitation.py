"""xAI in the sandbox: prepaid teams behind management keys (see
:mod:`topup.sandbox.prepaid`), amounts in cents, and postpaid teams (HTTP 404).

Every sandbox team has the id :data:`~topup.platforms.xai.answers.TEAM_ID` (a route's handler
cannot read path parameters): another team id in the path is the sandbox's 404, like a wrong
team id on xAI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from topup.platforms.xai import answers
from topup.sandbox.imitation import AdminIn, Route
from topup.sandbox.prepaid import AccountIn, PrepaidAccount, PrepaidImitation
from topup.sandbox.records import Record, Site


@dataclass(slots=True)
class XaiTeam(PrepaidAccount):
    """A team's prepaid credit in cents; a postpaid team has no prepaid balance."""

    step: ClassVar[int] = 2

    postpaid: bool = False


class TeamIn(AccountIn):
    postpaid: bool = False


class XaiImitation(PrepaidImitation):
    dialect = "xai"
    title = "xAI"
    key_prefix = "xai-token-"
    account_model: ClassVar[type[AdminIn]] = TeamIn
    account_type: ClassVar[type[Record]] = XaiTeam

    def account_config(self, site: Site, record: Record) -> dict[str, str]:
        return {"api_key": record.token, "team_id": answers.TEAM_ID}

    def routes(self) -> tuple[Route, ...]:
        return answers.ROUTES


IMITATION = XaiImitation()
