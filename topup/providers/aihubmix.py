"""AIHubMix (seed document 001): a new-api site at ``https://aihubmix.com``.

Account mode of :mod:`topup.providers.newapi`: ``GET /api/user/self`` with the **manage key**
as ``Authorization: Bearer``; balance = ``quota / 500000`` USD, used = ``used_quota / 500000``.
The answer carries ``password``, ``access_token`` and ``verification_code``; they are dropped at
parse time.
"""

from __future__ import annotations

from typing import ClassVar

from topup.providers.base import Case, CredentialField, Exchange
from topup.providers.newapi import NewAPI


class AIHubMix(NewAPI):
    name = "aihubmix"
    title = "AIHubMix"
    default_base_url = "https://aihubmix.com"
    fields = (
        CredentialField("access_token", "manage key", env="AIHUBMIX_MANAGE_KEY"),
        CredentialField("user_id", "numeric user id (optional)", secret=False),
    )
    modes = (frozenset({"access_token"}),)
    currency_rule = "USD (quota / 500000, or the site's quota_per_unit); `currency` overrides"

    cases: ClassVar[tuple[Case, ...]] = (
        Case(
            "manage key, documented answer with secrets inside",
            {"access_token": "ahm-manage-key-0123456789"},
            (
                Exchange("/api/status", status=404, text="404 page not found"),
                Exchange(
                    "/api/user/self",
                    json={
                        "data": {
                            "id": 123,
                            "username": "u",
                            "password": "hunter2-password",
                            "access_token": "ahm-manage-key-0123456789",
                            "verification_code": "998877",
                            "quota": 61500000,
                            "used_quota": 38500000,
                            "status": 1,
                        },
                        "message": "",
                        "success": True,
                    },
                    expect_headers={"authorization": "Bearer ahm-manage-key-0123456789"},
                ),
            ),
            {"status": "ok", "currency": "USD", "balance": "123", "used": "77"},
        ),
        Case(
            "failure message under success:false",
            {"access_token": "ahm-bad"},
            (
                Exchange("/api/status", json={"success": True, "data": {"quota_per_unit": 500000}}),
                Exchange(
                    "/api/user/self",
                    json={"data": None, "message": "无权进行此操作,token 无效", "success": False},
                ),
            ),
            {"status": "auth_error", "balance": None},
        ),
    )
