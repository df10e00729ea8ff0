"""Vercel AI Gateway in the sandbox: prepaid team credits behind ``vck_`` keys (see
:mod:`topup.sandbox.prepaid`); ``total_used`` grows with every spend. Its failures
have the common ``{"error": {"message", "type"}}`` shape."""

from __future__ import annotations

from topup.platforms.vercel import answers
from topup.sandbox.imitation import Route
from topup.sandbox.prepaid import PrepaidImitation


class VercelImitation(PrepaidImitation):
    dialect = "vercel"
    title = "Vercel AI Gateway"
    key_prefix = "vck_"

    def routes(self) -> tuple[Route, ...]:
        return answers.ROUTES


IMITATION = VercelImitation()
