"""ZenMux in the sandbox: Pay-As-You-Go accounts with top-up (paid) and bonus (granted)
credits (see :mod:`topup.sandbox.prepaid`); bonus credits are spent first, as the
platform documents. Its rate limit answers HTTP 422; a failure under HTTP 200 is
``success: false``."""

from __future__ import annotations

from topup.platforms.zenmux import answers
from topup.sandbox.faults import Fault, FaultKind
from topup.sandbox.imitation import Route
from topup.sandbox.prepaid import PrepaidImitation
from topup.sandbox.replies import Reply, json_reply


class ZenMuxImitation(PrepaidImitation):
    dialect = "zenmux"
    title = "ZenMux"
    key_prefix = "sk-mg-v1-"

    def routes(self) -> tuple[Route, ...]:
        return answers.ROUTES

    def failure(self, fault: Fault, normal: Reply | None) -> Reply | None:
        if fault.kind is FaultKind.RATE_LIMIT:
            return answers.error(422, "rate_limit", fault.message or "Rate limit exceeded")
        if fault.kind is FaultKind.SUCCESS_FALSE:
            body = answers.error_body(500, "internal_server_error", fault.message or "internal")
            return json_reply(200, {"success": False, **body})
        return None


IMITATION = ZenMuxImitation()
