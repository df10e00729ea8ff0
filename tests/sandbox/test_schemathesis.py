"""Property tests of the sandbox against its own OpenAPI document (in-process, via ASGI)."""

from __future__ import annotations

import zlib

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from topup.sandbox.app import create_app
from topup.sandbox.state import SandboxState

STATE = SandboxState()
STATE.add_site("sf", "siliconflow")
SF = STATE.add_account("sf", granted="0.88", paid="88")
ERAS = {"one": "oneapi", "new": "newapi", "xhdr": "header:X-Api-User", "newest": "newest"}
TOKENS: dict[str, tuple[str, str]] = {}
KEYS: dict[str, str] = {}
for _name, _era in ERAS.items():
    STATE.add_site(_name, "newapi", auth_era=_era, echo_access_token=_name == "newest")
    _acc = STATE.add_account(_name, quota=1_234_567, used_quota=10)
    TOKENS[_name] = (_acc.token, _acc.id)
    KEYS[_name] = STATE.add_key(_name, remain=1000, used=3).key
STATE.add_key("new", remain=0, unlimited=True)

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(STATE))


def steer(case: schemathesis.Case) -> None:
    """Point most generated cases at real sites, and some at real credentials."""
    seed = zlib.crc32(repr((case.path_parameters, case.headers)).encode())
    if seed % 5 == 0:
        return  # keep the generated (mostly unknown) site
    path = case.path
    if "/v1/user/info" in path:
        case.path_parameters = {"site": "sf"}
        if seed % 3 == 0:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {SF.token}"}
        return
    if not path.startswith("/{site}"):
        return
    name = list(ERAS)[seed % len(ERAS)]
    case.path_parameters = {"site": name}
    if seed % 3 == 0:
        token, uid = TOKENS[name]
        secret = f"Bearer {KEYS[name]}" if "billing" in path or "usage" in path else token
        case.headers = {
            **(case.headers or {}),
            "Authorization": secret,
            "New-Api-User": uid,
            "X-Api-User": uid,
        }


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_openapi_conformance(case: schemathesis.Case) -> None:
    steer(case)
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
