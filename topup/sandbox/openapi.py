"""OpenAPI pieces every imitation's routes share: the statuses injected faults can answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


class NotFound(BaseModel):
    detail: str


STRING = {"application/json": {"schema": {"type": "string"}}}
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
JSON_OR_HTML = {"application/json": {"schema": {}}, "text/html": {"schema": {"type": "string"}}}


def faulty(extra: Mapping[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """A route's documented responses plus the statuses every route answers under faults."""
    base: dict[int | str, dict[str, Any]] = {
        404: {"model": NotFound, "description": "Unknown site or wrong dialect"},
        410: {"description": "Gone (fault)", "content": HTML_PAGE},
        429: {"description": "Rate limited (fault)", "content": JSON_OR_HTML},
        503: {"description": "Overloaded (fault)", "content": HTML_PAGE},
        504: {"description": "Gateway timeout (fault)", "content": JSON_OR_HTML},
    }
    base.update(extra)
    return base
