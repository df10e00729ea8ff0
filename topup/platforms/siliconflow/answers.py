"""SiliconFlow in the sandbox: ``GET /v1/user/info`` exactly as documented (amounts as
strings), with its OpenAPI documentation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from topup.sandbox.imitation import Answer, Route, bearer_answer
from topup.sandbox.money import money_text
from topup.sandbox.openapi import JSON_OR_HTML, STRING, faulty
from topup.sandbox.records import ENABLED, Site
from topup.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from topup.platforms.siliconflow.imitation import SiliconFlowUser
    from topup.sandbox.state import SandboxState


class SFUserData(BaseModel):
    id: str
    name: str
    image: str
    email: str
    isAdmin: bool
    balance: str
    status: str
    introduction: str
    role: str
    chargeBalance: str
    totalBalance: str


class SFUserInfo(BaseModel):
    code: int
    message: str
    status: bool
    data: SFUserData | None


def invalid_token() -> Reply:
    return json_reply(401, "Invalid token")


def not_found() -> Reply:
    return json_reply(404, "Not Found")


def user_info_body(view: SiliconFlowUser) -> dict[str, object]:
    return {
        "code": 20000,
        "message": "OK",
        "status": True,
        "data": {
            "id": view.id,
            "name": "",
            "image": "",
            "email": "",
            "isAdmin": False,
            "balance": money_text(view.granted),
            "status": "normal" if view.status == ENABLED else "disabled",
            "introduction": "",
            "role": "",
            "chargeBalance": money_text(view.paid),
            "totalBalance": money_text(view.total),
        },
    }


def user_info(state: SandboxState, site: Site, headers: Mapping[str, str]) -> Answer:
    return bearer_answer(state, site, headers, user_info_body, invalid_token, serve_disabled=True)


RESPONSES: dict[int | str, dict[str, Any]] = faulty(
    {
        200: {"model": SFUserInfo, "description": "Documented envelope"},
        400: {"description": "BadRequest", "content": STRING},
        401: {"description": "Unauthorized", "content": STRING},
        404: {"description": "NotFound", "content": STRING},
        429: {"description": "RateLimit", "content": STRING},
        503: {"description": "Overloaded", "content": JSON_OR_HTML},
        504: {"description": "Timeout", "content": STRING},
    }
)

ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/user/info",
        user_info,
        "SiliconFlow: user info and balance",
        RESPONSES,
        not_found=not_found,
    ),
)
