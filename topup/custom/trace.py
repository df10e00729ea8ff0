"""What `topup platforms test` prints: one check of a custom platform, step by step.

:class:`Trace` is the :class:`~topup.custom.provider.Observer` of that check. It keeps what was
sent, what came back and what each expression extracted, and renders them as lines that are
safe to print: the credential masked wherever auth put it (header, query parameter) and scrubbed
from everything else; the answer parsed exactly with its secret fields dropped, every string
sanitised (:mod:`topup.sanitize`), the whole cut to a screenful.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

import httpx

from topup.custom.expressions import as_json
from topup.custom.provider import Extracted, Observer
from topup.custom.recipe import Recipe
from topup.errors import BadResponseError
from topup.i18n import gettext as _
from topup.i18n import ngettext
from topup.platforms.responses import parse_json, snippet
from topup.sanitize import cap, platform_text, remove_controls, scrub_cut
from topup.secrets import Secret, mask

__all__ = ["BODY_LINES", "Trace"]

#: Lines of an answer's body shown at most (then how many more there were).
BODY_LINES = 40
_LINE = 200


class Trace(Observer):
    """Collects one check's steps; :meth:`lines` renders them."""

    def __init__(self, recipe: Recipe, secrets: Iterable[Secret]) -> None:
        self.recipe = recipe
        self.secrets = tuple(secrets)
        self.sent: list[httpx.Request] = []
        self.received: list[httpx.Response] = []
        self.steps: list[Extracted] = []

    def request(self, request: httpx.Request) -> None:
        self.sent.append(request)

    def response(self, response: httpx.Response) -> None:
        self.received.append(response)

    def extracted(self, step: Extracted) -> None:
        self.steps.append(step)

    # -- rendering ----------------------------------------------------------------------------
    def lines(self) -> list[str]:
        out = [_("1. Sent")]
        sent = [f"   {line}" for r in self.sent for line in self._request(r)]
        out += sent or ["   " + _("nothing")]
        out += ["", _("2. Received")]
        received = [f"   {line}" for r in self.received for line in self._response(r)]
        out += received or ["   " + _("no answer (the result below says why)")]
        out += ["", _("3. Extracted")]
        width = max((len(s.key) for s in self.steps), default=0)
        for step in self.steps:
            found = self._clean(step.found, _LINE)
            meaning = f"  ({self._clean(step.meaning, _LINE)})" if step.meaning else ""
            expression = self._own(step.expression, _LINE)
            out.append(f"   {step.key:<{width}} = {expression}  ->  {found}{meaning}")
        if self.recipe.currency_path is None:
            currency = self.recipe.currency or _("not set (unknown unit)")
            out.append("   " + _("currency: {currency} (fixed)").format(currency=currency))
        if not self.steps:
            out.append(
                "   " + _("nothing (no answer to read, or it failed before the expressions)")
            )
        return out

    def _request(self, request: httpx.Request) -> list[str]:
        auth = self.recipe.auth
        url = request.url
        query = [
            f"{k}={mask(v) if auth.style == 'query' and k == auth.name else v}"
            for k, v in url.params.multi_items()
        ]
        plain = str(url.copy_with(query=None))
        shown = unquote(plain) + (f"?{'&'.join(query)}" if query else "")
        out = [self._own(f"{request.method} {shown}", _LINE * 2)]
        for raw_name, raw_value in request.headers.raw:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            lowered = name.lower()
            if lowered == "authorization" and auth.style == "bearer":
                scheme, _space, credential = value.partition(" ")
                value = f"{scheme} {mask(credential)}"
            elif auth.style == "header" and lowered == (auth.name or "").lower():
                value = mask(value)
            out.append(self._own(f"{name}: {value}", _LINE))
        if request.content:
            body = request.content.decode("utf-8", "replace")
            out.append(self._own(f"body: {body}", _LINE * 2))
        return out

    def _response(self, response: httpx.Response) -> list[str]:
        kind = response.headers.get("content-type", _("no content-type"))
        head = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        n = len(response.content)
        size = ngettext("{kind}, {n} byte", "{kind}, {n} bytes", n).format(kind=kind, n=n)
        out = [self._clean(f"{head} ({size})", _LINE)]
        try:
            body = parse_json(response)
        except BadResponseError as exc:
            out.append(self._clean(exc.message, _LINE * 2))
            text = response.content.decode("utf-8", "replace")
            if text.strip():
                out.append(self._clean(f"body: {snippet(text, 400)}", _LINE * 3))
            return out
        lines = as_json(body, indent=2).splitlines()
        shown = [self._clean(line, _LINE, keep_indent=True) for line in lines[:BODY_LINES]]
        if len(lines) > BODY_LINES:
            more = len(lines) - BODY_LINES
            shown.append(ngettext("... {n} more line", "... {n} more lines", more).format(n=more))
        out += shown
        return out

    def _clean(self, text: str, limit: int, *, keep_indent: bool = False) -> str:
        """A line of the answer safe to print: sanitised, the account's credentials masked."""
        indent = text[: len(text) - len(text.lstrip(" "))] if keep_indent else ""
        return indent + scrub_cut(platform_text(text, limit), self.secrets)

    def _own(self, text: str, limit: int) -> str:
        """A line of the request (our own text): one line, bounded, credentials masked. Not
        redacted like an answer, so ``key=sk-ab…wxyz`` still shows which key was sent."""
        return scrub_cut(cap(remove_controls(text), limit), self.secrets)
