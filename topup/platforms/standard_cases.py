"""The transient-failure cases most platforms share, built one way: a 503 nginx page is
unavailable, a JSON body cut in the middle is a bad response.

Each builder returns a :class:`~topup.platforms.base.Case`; given ``staged`` (the imitation's
account record, ``{}`` for an empty one) the case is also staged with the imitation's matching
fault. A platform's ``cases`` module keeps a case already staged here when its ``STAGED`` dict
does not name it (``STAGED.get(case.name, case.staged)``). Extra keyword arguments join the
expected result (``balance=None``: the balance must stay unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topup.platforms.base import Case, Exchange, Staged

#: The page nginx serves while the service behind it is down.
NGINX_503 = "<html><title>503 Service Temporarily Unavailable</title></html>"


def _staged(account: Mapping[str, Any] | None, kind: str) -> Staged | None:
    return None if account is None else Staged(account=account, fault={"kind": kind})


def html_503(
    path: str,
    account: Mapping[str, Any],
    *,
    name: str = "503 HTML page is unavailable",
    text: str = NGINX_503,
    staged: Mapping[str, Any] | None = None,
    **expect: Any,
) -> Case:
    """A 503 answered with an HTML page (``text/html``): ``unavailable``."""
    answer = Exchange(path, status=503, text=text, headers={"content-type": "text/html"})
    return Case(
        name,
        account,
        (answer,),
        {"status": "unavailable", **expect},
        staged=_staged(staged, "html_503"),
    )


def truncated_json(
    path: str,
    account: Mapping[str, Any],
    body: str,
    *,
    name: str = "truncated JSON is a bad response",
    staged: Mapping[str, Any] | None = None,
    **expect: Any,
) -> Case:
    """The platform's usual answer (``body``) cut in the middle: ``bad_response``."""
    return Case(
        name,
        account,
        (Exchange(path, text=body),),
        {"status": "bad_response", **expect},
        staged=_staged(staged, "truncated_json"),
    )
