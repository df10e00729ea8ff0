"""Replay recorded platform answers through ``httpx.MockTransport`` (no network)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx

from topup.platforms import Exchange

_TOKEN = re.compile(r'"__DECIMAL__([-0-9.Ee+]+)__"')


def dumps(obj: Any) -> str:
    """JSON with Decimals written as exact numbers (never through float)."""

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"__DECIMAL__{value}__"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [mark(v) for v in value]
        return value

    return _TOKEN.sub(r"\1", json.dumps(mark(obj), ensure_ascii=False))


def response_for(exchange: Exchange) -> httpx.Response:
    headers = dict(exchange.headers)
    if exchange.text is not None:
        headers.setdefault("content-type", "text/plain; charset=utf-8")
        return httpx.Response(exchange.status, headers=headers, text=exchange.text)
    headers.setdefault("content-type", "application/json")
    return httpx.Response(exchange.status, headers=headers, text=dumps(exchange.json))


class Replay:
    """A transport answering the given exchanges in order, recording what was asked."""

    def __init__(self, exchanges: tuple[Exchange, ...] | list[Exchange]) -> None:
        self.pending = list(exchanges)
        self.requests: list[httpx.Request] = []
        self.errors: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.pending:
            self.errors.append(f"unexpected request {request.method} {request.url}")
            return httpx.Response(599, text="no recorded answer")
        exchange = self.pending.pop(0)
        if request.url.path != exchange.path:
            self.errors.append(f"expected {exchange.path}, got {request.url.path}")
        for name, value in exchange.expect_headers.items():
            if request.headers.get(name) != value:
                self.errors.append(
                    f"header {name}: expected {value!r}, got {request.headers.get(name)!r}"
                )
        return response_for(exchange)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)
