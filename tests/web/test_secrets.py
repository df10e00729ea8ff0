"""No credential ever leaves the app: a canary credential is planted and every answer scanned."""

from __future__ import annotations

import re

from .support import CANARY, Server


def test_canary_never_served(open_server: Server) -> None:
    seen: list[str] = []
    with open_server.client() as c:
        bodies = {}
        for path in ("/", "/metrics", "/openapi.json", "/api/accounts"):
            bodies[path] = c.get(path).text
        for name in ("alpha", "bravo", "charlie", "delta", "echo", "unlim"):
            for path in (
                f"/accounts/{name}",
                f"/accounts/{name}?range=90d",
                f"/api/accounts/{name}",
                f"/api/accounts/{name}/history?since=90d",
            ):
                bodies[path] = c.get(path).text
        bodies["POST /api/check"] = c.post("/api/check").text
        links = set(re.findall(r'(?:href|src)="(/[^"]*)"', bodies["/"]))
        for link in links:
            bodies[link] = c.get(link).text
    for path, body in bodies.items():
        seen.append(path)
        assert CANARY not in body, path
        assert CANARY[3:15] not in body, path  # not even a recognisable piece
    assert len(seen) > 25
