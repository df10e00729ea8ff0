"""302.AI in the sandbox: prepaid USD accounts behind ``sk-`` keys (see
:mod:`topup.sandbox.prepaid`)."""

from __future__ import annotations

from topup.platforms.ai302 import answers
from topup.sandbox.imitation import Route
from topup.sandbox.prepaid import PrepaidImitation


class AI302Imitation(PrepaidImitation):
    dialect = "302ai"
    title = "302.AI"
    key_prefix = "sk-"

    def routes(self) -> tuple[Route, ...]:
        return answers.ROUTES


IMITATION = AI302Imitation()
