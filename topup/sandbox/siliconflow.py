"""SiliconFlow dialect: ``GET /v1/user/info`` exactly as documented (amounts as strings)."""

from __future__ import annotations

from topup.sandbox.money import money_text
from topup.sandbox.replies import Reply, json_reply
from topup.sandbox.state import ENABLED, Account, SandboxState


def bearer(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def invalid_token() -> Reply:
    return json_reply(401, "Invalid token")


def user_info_body(state: SandboxState, acc: Account) -> dict[str, object]:
    view = state.money_view(acc)
    return {
        "code": 20000,
        "message": "OK",
        "status": True,
        "data": {
            "id": acc.id,
            "name": "",
            "image": "",
            "email": "",
            "isAdmin": False,
            "balance": money_text(view.granted),
            "status": "normal" if acc.status == ENABLED else "disabled",
            "introduction": "",
            "role": "",
            "chargeBalance": money_text(view.paid),
            "totalBalance": money_text(view.total),
        },
    }


def user_info(
    state: SandboxState, site: str, authorization: str | None
) -> tuple[Reply, Account | None]:
    token = bearer(authorization)
    if token is None:
        return invalid_token(), None
    acc = state.account_by_token(site, token)
    if acc is None:
        return invalid_token(), None
    return json_reply(200, user_info_body(state, acc)), acc
